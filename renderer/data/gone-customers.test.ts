import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { GoneCustomers } from './gone-customers';

describe('customers removed for good (issue #17)', () => {
  it('remembers the latest 20,000 erased or merged-away ids, newest kept, and why each went', () => {
    const gone = new GoneCustomers();
    const ids = Array.from({ length: 20_001 }, () => newId());
    gone.mark([[ids[0]!, 'erased']]);
    gone.mark(ids.slice(1).map((id) => [id, 'merged'] as const));
    // The oldest went first; the rest are kept with their reason.
    expect(gone.as(ids[0]!)).toBeUndefined();
    expect(gone.as(ids[1]!)).toBe('merged');
    expect(gone.as(ids[20_000]!)).toBe('merged');
    // Marked again, an id is the newest and its latest reason counts.
    gone.mark([[ids[1]!, 'erased']]);
    gone.mark([[newId(), 'erased']]);
    expect(gone.as(ids[1]!)).toBe('erased');
    expect(gone.as(ids[2]!)).toBeUndefined();
  });
});
