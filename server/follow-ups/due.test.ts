import { describe, expect, it } from 'vitest';
import { birthdayWeekOf, localDayAfter, nextLocalDay, weekStart } from './due';

const at = (iso: string) => new Date(iso);

describe('follow-up due dates in the store time zone (hand-computed)', () => {
  it('a visit is followed up at the next local midnight, across DST changes (Berlin)', () => {
    // Sat 28 Mar 2026 23:30 CET (UTC+1) → Sun 29 Mar 00:00 CET = 23:00Z.
    expect(nextLocalDay(at('2026-03-28T22:30:00Z'), 'Europe/Berlin').toISOString()).toBe(
      '2026-03-28T23:00:00.000Z',
    );
    // Sun 29 Mar 10:00 CEST (clocks went forward at 02:00) → Mon 30 Mar 00:00 CEST = 22:00Z.
    expect(nextLocalDay(at('2026-03-29T08:00:00Z'), 'Europe/Berlin').toISOString()).toBe(
      '2026-03-29T22:00:00.000Z',
    );
    // Sat 24 Oct 12:00 CEST → Sun 25 Oct 00:00 CEST = 22:00Z (the 25-hour day starts).
    expect(nextLocalDay(at('2026-10-24T10:00:00Z'), 'Europe/Berlin').toISOString()).toBe(
      '2026-10-24T22:00:00.000Z',
    );
    // Sun 25 Oct 12:00 CET (clocks went back) → Mon 26 Oct 00:00 CET = 23:00Z.
    expect(nextLocalDay(at('2026-10-25T11:00:00Z'), 'Europe/Berlin').toISOString()).toBe(
      '2026-10-25T23:00:00.000Z',
    );
  });

  it('the local day, not the UTC day, decides (Shanghai, UTC+8)', () => {
    // 16:30Z on 15 June is 00:30 on 16 June in Shanghai: due 17 June 00:00 local = 16 June 16:00Z.
    expect(nextLocalDay(at('2026-06-15T16:30:00Z'), 'Asia/Shanghai').toISOString()).toBe(
      '2026-06-16T16:00:00.000Z',
    );
  });

  it('N days after a purchase lands on a local midnight past a DST change', () => {
    // Wed 25 Mar 13:00 CET + 7 days → Wed 1 Apr 00:00 CEST = 31 Mar 22:00Z.
    expect(localDayAfter(at('2026-03-25T12:00:00Z'), 'Europe/Berlin', 7).toISOString()).toBe(
      '2026-03-31T22:00:00.000Z',
    );
  });

  it('weeks start on Monday', () => {
    expect(weekStart('2026-12-30')).toBe('2026-12-28'); // a Wednesday
    expect(weekStart('2026-12-28')).toBe('2026-12-28'); // the Monday itself
    expect(weekStart('2027-01-03')).toBe('2026-12-28'); // the Sunday
  });

  it('a birthday week straddling New Year belongs to the next year’s birthday', () => {
    // 30 Dec 2026 in Shanghai: the week Mon 28 Dec – Sun 3 Jan holds 1 Jan 2027.
    const week = birthdayWeekOf(at('2026-12-30T04:00:00Z'), 'Asia/Shanghai', '01-01');
    expect(week?.birthday).toBe('2027-01-01');
    expect(week?.dueAt.toISOString()).toBe('2026-12-27T16:00:00.000Z'); // Mon 28 Dec 00:00 +08
    // Sunday 3 Jan 23:59 local is still that week; Monday 4 Jan 00:00 local is not.
    expect(birthdayWeekOf(at('2027-01-03T15:59:00Z'), 'Asia/Shanghai', '01-01')?.birthday).toBe(
      '2027-01-01',
    );
    expect(birthdayWeekOf(at('2027-01-03T16:00:00Z'), 'Asia/Shanghai', '01-01')).toBeNull();
  });

  it('29 February birthdays fall on the 28th in common years', () => {
    // 28 Feb 2027 is a Sunday: its week starts Mon 22 Feb.
    const week = birthdayWeekOf(at('2027-02-22T00:00:00+08:00'), 'Asia/Shanghai', '02-29');
    expect(week?.birthday).toBe('2027-02-28');
    expect(birthdayWeekOf(at('2027-03-01T00:00:00+08:00'), 'Asia/Shanghai', '02-29')).toBeNull();
    // 2028 is a leap year: 29 Feb 2028 is a Tuesday, week from Mon 28 Feb.
    expect(
      birthdayWeekOf(at('2028-02-28T00:00:00+08:00'), 'Asia/Shanghai', '02-29')?.birthday,
    ).toBe('2028-02-29');
  });
});
