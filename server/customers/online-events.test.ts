import { describe, expect, it } from 'vitest';
import type { OnlineEvent, OnlineSummary } from '../../shared/protocol';
import { applyOnlineEvent, mergeTrail, TRAIL_LENGTH } from './online-events';
import { EMPTY_ONLINE, onlineSummary } from '../../shared/protocol';
import { MAX_ORDER_TOTAL_FEN, MAX_SPEND_FEN } from '../../shared/domain/limits';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 11, 0, minute)).toISOString();
const viewed = (id: number, sku: string, minute: number): OnlineEvent => ({
  id: `e${id}`,
  customer: { customerId: '0190b000-0000-7000-8000-000000000001' },
  type: 'viewed',
  sku,
  channel: 'app',
  at: at(minute),
});
const fold = (events: OnlineEvent[]): OnlineSummary =>
  events.reduce((s, e) => applyOnlineEvent(s, e), EMPTY_ONLINE);

/** A deterministic shuffle (fixed seed) so failures reproduce. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('online behaviour summary', () => {
  it('keeps each trail newest first, one entry per SKU, at most TRAIL_LENGTH', () => {
    const events = Array.from({ length: 30 }, (_, i) => viewed(i, `SKU-${i % 25}`, i));
    const summary = fold(events);
    expect(summary.viewed).toHaveLength(TRAIL_LENGTH);
    expect(summary.viewed[0]).toMatchObject({ sku: 'SKU-4', at: at(29) });
    const times = summary.viewed.map((v) => Date.parse(v.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(new Set(summary.viewed.map((v) => v.sku)).size).toBe(TRAIL_LENGTH);
  });

  it('gives the same trail whatever order the events arrive in (late deliveries, retries)', () => {
    const events = Array.from({ length: 60 }, (_, i) => viewed(i, `SKU-${(i * 7) % 31}`, i));
    const expected = fold(events);
    for (let seed = 1; seed <= 25; seed++) {
      const summary = fold(shuffled(events, seed));
      expect(summary.viewed).toEqual(expected.viewed);
      expect(summary.lastOnlineAt).toBe(expected.lastOnlineAt);
    }
  });

  it('counts online orders and spend; a late event never moves lastOnlineAt backwards', () => {
    const summary = fold([
      { ...viewed(1, 'DR-1', 30), channel: 'wechat' },
      {
        id: 'o1',
        customer: { crmId: 'C1' },
        type: 'ordered',
        channel: 'app',
        at: at(10),
        amount: 19900,
      },
    ]);
    expect(summary).toMatchObject({
      onlineOrders: 1,
      onlineSpend: 19900,
      lastOnlineAt: at(30),
      channel: 'wechat',
    });
  });

  it('merges two trails (a customer merge) keeping the newest sighting of each SKU', () => {
    const a = fold([viewed(1, 'X', 1), viewed(2, 'Y', 5)]).viewed;
    const b = fold([viewed(3, 'X', 9), viewed(4, 'Z', 2)]).viewed;
    expect(mergeTrail(a, b).map((v) => [v.sku, v.at])).toEqual([
      ['X', at(9)],
      ['Y', at(5)],
      ['Z', at(2)],
    ]);
  });
});

describe('online spend saturates at the feed ceiling', () => {
  it('any number of maximal online orders leaves a summary the feed schema accepts', () => {
    const ordered = (id: number): OnlineEvent => ({
      id: `o${id}`,
      customer: { customerId: '0190b000-0000-7000-8000-000000000001' },
      type: 'ordered',
      channel: 'app',
      at: at(id % 60),
      amount: MAX_ORDER_TOTAL_FEN,
    });
    const summary = fold(Array.from({ length: 200 }, (_, i) => ordered(i)));
    expect(summary.onlineSpend).toBe(MAX_SPEND_FEN);
    expect(summary.onlineOrders).toBe(200);
    expect(onlineSummary.safeParse(summary).success).toBe(true);
    // A stored value from before the limits is brought back within them on the next event.
    const old = applyOnlineEvent({ ...EMPTY_ONLINE, onlineSpend: 1e17 }, ordered(1));
    expect(old.onlineSpend).toBe(MAX_SPEND_FEN);
  });
});
