import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { coalescedHints, type HintEvent } from './change-hints';

describe('coalescedHints: chain-wide change hints, at most one per event per window', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the first hint at once and folds a burst into one carrying the highest cursor', () => {
    const sent: [HintEvent, string][] = [];
    const hints = coalescedHints((e, c) => sent.push([e, c]), 500);
    hints.send('customers:changed', '9');
    expect(sent).toEqual([['customers:changed', '9']]);
    // 200 writes over the next 100 ms, cursors out of order (two nodes' commits), "10" > "9"
    for (let i = 0; i < 200; i++) {
      hints.send('customers:changed', String(10 + ((i * 37) % 200)));
      vi.advanceTimersByTime(0.5);
    }
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(399);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([
      ['customers:changed', '9'],
      ['customers:changed', '209'],
    ]);
    // nothing pending: no further hint
    vi.advanceTimersByTime(5_000);
    expect(sent).toHaveLength(2);
  });

  it('keeps events apart, and a hint after a quiet window goes at once', () => {
    const sent: [HintEvent, string][] = [];
    const hints = coalescedHints((e, c) => sent.push([e, c]), 500);
    hints.send('customers:changed', '5');
    hints.send('catalog:changed', '6');
    expect(sent).toEqual([
      ['customers:changed', '5'],
      ['catalog:changed', '6'],
    ]);
    vi.advanceTimersByTime(600);
    hints.send('customers:changed', '7');
    expect(sent.at(-1)).toEqual(['customers:changed', '7']);
  });

  it('under hints that never stop, one goes out every window (no starvation)', () => {
    const sent: string[] = [];
    const hints = coalescedHints((_e, c) => sent.push(c), 500);
    for (let ms = 0; ms < 3_000; ms += 10) {
      hints.send('customers:changed', String(ms + 1));
      vi.advanceTimersByTime(10);
    }
    expect(sent.length).toBeGreaterThanOrEqual(6);
    expect(sent.length).toBeLessThanOrEqual(7);
    // each carries a cursor no older than one window
    expect(Number(sent.at(-1))).toBeGreaterThan(3_000 - 510);
  });

  it('close() drops a pending hint', () => {
    const sent: string[] = [];
    const hints = coalescedHints((_e, c) => sent.push(c), 500);
    hints.send('customers:changed', '1');
    hints.send('customers:changed', '2');
    hints.close();
    vi.advanceTimersByTime(1_000);
    expect(sent).toEqual(['1']);
  });
});
