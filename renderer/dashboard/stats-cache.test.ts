import { describe, expect, it } from 'vitest';
import { makeDay, makeRange } from './dashboard-fixtures';
import { memoryStorage } from '../testing/memory-storage';
import { figuresFromDay } from './figures';
import { figuresCache } from './stats-cache';

const scope = { terminalId: 't-1', storeId: 's-1' };
const day = (date: string, orders: number) =>
  figuresFromDay(
    makeDay(date, { 12: { footfall: 10, orders, units: orders, revenue: orders * 100 } }),
  );

describe('offline figures cache', () => {
  it('gives back the last figures of a period with the time they were fetched', () => {
    const cache = figuresCache(memoryStorage(), scope);
    cache.write(
      { from: '2026-11-20', to: '2026-11-20' },
      { figures: day('2026-11-20', 3), fetchedAt: '2026-11-20T06:30:00.000Z' },
    );
    cache.write(
      { from: '2026-11-20', to: '2026-11-20' },
      { figures: day('2026-11-20', 5), fetchedAt: '2026-11-20T07:30:00.000Z' },
    );
    expect(cache.read({ from: '2026-11-20', to: '2026-11-20' })).toMatchObject({
      fetchedAt: '2026-11-20T07:30:00.000Z',
      figures: { totals: { orders: 5 } },
    });
    expect(cache.read({ from: '2026-11-19', to: '2026-11-19' })).toBeNull();
  });

  it("keeps one terminal's and store's figures apart from another's", () => {
    const storage = memoryStorage();
    figuresCache(storage, scope).write(
      { from: '2026-11-20', to: '2026-11-20' },
      { figures: day('2026-11-20', 3), fetchedAt: '2026-11-20T06:30:00.000Z' },
    );
    expect(
      figuresCache(storage, { ...scope, storeId: 's-2' }).read({
        from: '2026-11-20',
        to: '2026-11-20',
      }),
    ).toBeNull();
  });

  it('stores range days without their hours and forgets the oldest periods beyond ten', () => {
    const storage = memoryStorage();
    const cache = figuresCache(storage, scope);
    const week = makeRange(
      ['14', '15', '16', '17', '18', '19', '20'].map((d) =>
        makeDay(`2026-11-${d}`, { 9: { footfall: 5 } }),
      ),
    );
    cache.write(week, { figures: week, fetchedAt: '2026-11-20T06:30:00.000Z' });
    const back = cache.read(week)!;
    expect(back.figures.days.map((d) => [d.date, d.footfall, d.byHour.length])).toEqual(
      week.days.map((d) => [d.date, 5, 0]),
    );
    expect(back.figures.totals.footfall).toBe(35);
    for (let d = 1; d <= 10; d++) {
      const date = `2026-11-${String(d).padStart(2, '0')}`;
      cache.write(
        { from: date, to: date },
        { figures: day(date, d), fetchedAt: '2026-11-20T06:30:00.000Z' },
      );
    }
    expect(cache.read(week)).toBeNull();
    expect(cache.read({ from: '2026-11-01', to: '2026-11-01' })).not.toBeNull();
    expect(storage.length).toBe(11); // ten periods and the index
  });

  it('ignores an entry that no longer matches the schema (an older version wrote it)', () => {
    const storage = memoryStorage();
    storage.setItem(
      'shopguide-dashboard:t-1:s-1:2026-11-20',
      JSON.stringify({ figures: { orders: 'many' } }),
    );
    storage.setItem('shopguide-dashboard:t-1:s-1:2026-11-19', '{not json');
    const cache = figuresCache(storage, scope);
    expect(cache.read({ from: '2026-11-20', to: '2026-11-20' })).toBeNull();
    expect(cache.read({ from: '2026-11-19', to: '2026-11-19' })).toBeNull();
  });
});
