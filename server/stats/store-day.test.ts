import { describe, expect, it } from 'vitest';
import { datesBetween, localDate, storeDay } from './store-day';

describe('store-local days', () => {
  it('runs from local midnight to local midnight in the store time zone', () => {
    const day = storeDay('2026-06-15', 'Asia/Shanghai');
    expect(day.from.toISOString()).toBe('2026-06-14T16:00:00.000Z');
    expect(day.to.toISOString()).toBe('2026-06-15T16:00:00.000Z');
    expect(day.hours).toHaveLength(24);
    expect(day.hours[0]).toMatchObject({ index: 0, label: '00:00' });
    expect(day.hours[23]!.end.toISOString()).toBe('2026-06-15T16:00:00.000Z');
  });

  it('has 23 hours when clocks spring forward and 25 when they fall back', () => {
    const spring = storeDay('2026-03-29', 'Europe/Berlin');
    expect(spring.hours.map((h) => h.label).slice(0, 4)).toEqual([
      '00:00',
      '01:00',
      '03:00',
      '04:00',
    ]);
    expect(spring.hours).toHaveLength(23);
    const autumn = storeDay('2026-10-25', 'Europe/Berlin');
    expect(autumn.hours).toHaveLength(25);
    expect(autumn.hours.map((h) => h.label).slice(0, 5)).toEqual([
      '00:00',
      '01:00',
      '02:00',
      '02:00',
      '03:00',
    ]);
    expect(autumn.to.getTime() - autumn.from.getTime()).toBe(25 * 3_600_000);
  });

  it('cuts the last bucket at midnight where an offset change is not a whole hour', () => {
    // Lord Howe Island moves its clocks by 30 minutes: 2026-10-04 is 23.5 hours long.
    const day = storeDay('2026-10-04', 'Australia/Lord_Howe');
    expect(day.to.getTime() - day.from.getTime()).toBe(23.5 * 3_600_000);
    expect(day.hours).toHaveLength(24);
    expect(day.hours.at(-1)!.end.getTime()).toBe(day.to.getTime());
  });

  it('tells which local day an instant falls on', () => {
    expect(localDate(new Date('2026-06-14T15:59:00Z'), 'Asia/Shanghai')).toBe('2026-06-14');
    expect(localDate(new Date('2026-06-14T16:01:00Z'), 'Asia/Shanghai')).toBe('2026-06-15');
    expect(localDate(Date.parse('2026-10-25T22:59:00Z'), 'Europe/Berlin')).toBe('2026-10-25');
  });

  it('lists the days of a period, both ends included', () => {
    expect(datesBetween('2026-02-27', '2026-03-02')).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ]);
    expect(datesBetween('2026-03-29', '2026-03-29')).toEqual(['2026-03-29']);
  });
});
