import { describe, expect, it } from 'vitest';
import { makeAlert } from '../data/testing';
import { presenceOf } from './arrival-state';

const stored = (over: Parameters<typeof makeAlert>[0]) => ({
  ...makeAlert(over),
  receivedAt: '2026-11-02T10:00:00.000Z',
});

describe('time in store on the card (#16 item 6)', () => {
  const now = new Date('2026-11-02T10:07:30.000Z');
  it('says how long she has been here while sightings come', () => {
    expect(presenceOf(stored({ lastSeenAt: '2026-11-02T10:06:00.000Z' }), now, 20)).toEqual({
      kind: 'here',
      minutes: 7,
    });
  });
  it('says she may have left after the silence, counted to the minute', () => {
    const at = { at: '2026-11-02T09:30:00.000Z' };
    // last seen 19 min 30 s ago: still here; 20 min: may have left
    expect(
      presenceOf(stored({ ...at, lastSeenAt: '2026-11-02T09:48:00.000Z' }), now, 20).kind,
    ).toBe('here');
    expect(presenceOf(stored({ ...at, lastSeenAt: '2026-11-02T09:47:30.000Z' }), now, 20)).toEqual({
      kind: 'left',
      silentMinutes: 20,
    });
  });
  it('says nothing for an older hub (no sightings) or an expired alert', () => {
    expect(presenceOf(stored({}), now, 20).kind).toBe('unknown');
    expect(
      presenceOf(stored({ status: 'expired', lastSeenAt: '2026-11-02T10:06:00.000Z' }), now, 20)
        .kind,
    ).toBe('unknown');
  });
});
