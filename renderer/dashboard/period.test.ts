import { describe, expect, it } from 'vitest';
import { comparisonPeriod, daysIn, periodFor, storeToday } from './period';

describe('dashboard periods', () => {
  it("takes today's date in the store's zone, not the machine's", () => {
    // 16:30Z on 22 Nov is already 00:30 on 23 Nov in Shanghai, still 22 Nov in Berlin.
    const now = new Date('2026-11-22T16:30:00Z');
    expect(storeToday(now, 'Asia/Shanghai')).toBe('2026-11-23');
    expect(storeToday(now, 'Europe/Berlin')).toBe('2026-11-22');
  });

  it('runs this week from Monday to today and the last 7 / 30 days up to today', () => {
    // 2026-11-22 is a Sunday.
    expect(periodFor('week', '2026-11-22')).toEqual({
      kind: 'week',
      from: '2026-11-16',
      to: '2026-11-22',
    });
    expect(periodFor('week', '2026-11-16')).toMatchObject({ from: '2026-11-16', to: '2026-11-16' });
    expect(periodFor('last7', '2026-11-22')).toMatchObject({
      from: '2026-11-16',
      to: '2026-11-22',
    });
    expect(periodFor('last30', '2026-11-22')).toMatchObject({
      from: '2026-10-24',
      to: '2026-11-22',
    });
    expect(daysIn(periodFor('last30', '2026-11-22'))).toBe(30);
    expect(periodFor('day', '2026-11-22', '2026-11-03')).toMatchObject({
      from: '2026-11-03',
      to: '2026-11-03',
    });
  });

  it('runs this month from the 1st to today, store-local dates', () => {
    expect(periodFor('month', '2026-11-22')).toEqual({
      kind: 'month',
      from: '2026-11-01',
      to: '2026-11-22',
    });
    // the 1st is a one-day month so far; the last day of a leap February is the whole month
    expect(periodFor('month', '2026-11-01')).toMatchObject({
      from: '2026-11-01',
      to: '2026-11-01',
    });
    expect(daysIn(periodFor('month', '2028-02-29'))).toBe(29);
    // the year's last day: the month is all of December
    expect(periodFor('month', '2026-12-31')).toMatchObject({
      from: '2026-12-01',
      to: '2026-12-31',
    });
    // compared, like the other ranges, with the same weekdays whole weeks earlier (22 days → 28)
    expect(comparisonPeriod(periodFor('month', '2026-11-22'))).toMatchObject({
      from: '2026-10-04',
      to: '2026-10-25',
    });
  });

  it('compares with the same weekdays of earlier weeks, across a DST change', () => {
    // Berlin falls back on 2026-10-25: a week earlier is still the same weekday.
    expect(comparisonPeriod(periodFor('day', '2026-10-28', '2026-10-28'))).toMatchObject({
      from: '2026-10-21',
      to: '2026-10-21',
    });
    expect(comparisonPeriod(periodFor('last7', '2026-11-22'))).toMatchObject({
      from: '2026-11-09',
      to: '2026-11-15',
    });
    // 30 days move back 35, so weekdays still line up.
    expect(comparisonPeriod(periodFor('last30', '2026-11-22'))).toMatchObject({
      from: '2026-09-19',
      to: '2026-10-18',
    });
  });
});
