import { describe, expect, it } from 'vitest';
import { localToday, periodOf, validPeriod } from './period';

describe('console periods', () => {
  it('gives the day, its Monday-to-Sunday week and its calendar month', () => {
    expect(periodOf('day', '2026-11-18')).toEqual({ from: '2026-11-18', to: '2026-11-18' });
    // Wednesday 18 → Monday 16 … Sunday 22; a Sunday belongs to the week before it.
    expect(periodOf('week', '2026-11-18')).toEqual({ from: '2026-11-16', to: '2026-11-22' });
    expect(periodOf('week', '2026-11-22')).toEqual({ from: '2026-11-16', to: '2026-11-22' });
    expect(periodOf('month', '2028-02-10')).toEqual({ from: '2028-02-01', to: '2028-02-29' });
    expect(periodOf('month', '2026-12-31')).toEqual({ from: '2026-12-01', to: '2026-12-31' });
  });

  it('accepts what the hub answers and nothing else', () => {
    expect(validPeriod({ from: '2026-01-01', to: '2026-04-02' })).toBe(true); // 92 days
    expect(validPeriod({ from: '2026-01-01', to: '2026-04-03' })).toBe(false);
    expect(validPeriod({ from: '2026-11-17', to: '2026-11-16' })).toBe(false);
    expect(validPeriod({ from: '', to: '2026-11-16' })).toBe(false);
  });

  it("reads today in the browser's own calendar", () => {
    expect(localToday(new Date(2026, 10, 16, 23, 59))).toBe('2026-11-16');
  });
});
