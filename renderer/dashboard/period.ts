import { TZDate } from '@date-fns/tz';
import { addDays, differenceInCalendarDays, format, startOfMonth, startOfWeek } from 'date-fns';

/** What the manager picked: one store-local day, or one of the fixed ranges ending today. */
export type PeriodKind = 'day' | 'week' | 'month' | 'last7' | 'last30';

/** A period of store-local days (ISO dates, both ends inclusive). */
export type Period = { kind: PeriodKind; from: string; to: string };

const ISO = 'yyyy-MM-dd';

/** Store-local calendar date of an instant, e.g. 2026-11-22T17:00Z in Shanghai → 2026-11-23. */
export function storeToday(now: Date, timezone: string): string {
  return format(new TZDate(now.getTime(), timezone), ISO);
}

/**
 * Date-only arithmetic. Anchored at noon UTC so adding days never crosses a DST edge of the
 * machine's own zone (the store's zone only matters for which date "today" is).
 */
export function shiftDate(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const shifted = addDays(new TZDate(y, m - 1, d, 12, 'UTC'), days);
  return format(shifted, ISO);
}

export function daysIn(period: Pick<Period, 'from' | 'to'>): number {
  return differenceInCalendarDays(atNoon(period.to), atNoon(period.from)) + 1;
}

function atNoon(date: string): TZDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new TZDate(y, m - 1, d, 12, 'UTC');
}

/**
 * The period for a picker choice. "This week" runs Monday to today (Chinese retail weeks start on
 * Monday), "this month" from the 1st to today (the calendar month 导购业绩 and the benefit-sharing
 * statement are settled by); `date` is the chosen day for `day` and is ignored otherwise.
 */
export function periodFor(kind: PeriodKind, today: string, date: string = today): Period {
  switch (kind) {
    case 'day':
      return { kind, from: date, to: date };
    case 'week': {
      const monday = format(startOfWeek(atNoon(today), { weekStartsOn: 1 }), ISO);
      return { kind, from: monday, to: today };
    }
    case 'month':
      return { kind, from: format(startOfMonth(atNoon(today)), ISO), to: today };
    case 'last7':
      return { kind, from: shiftDate(today, -6), to: today };
    case 'last30':
      return { kind, from: shiftDate(today, -29), to: today };
  }
}

/**
 * What a period is compared with: the same weekdays of an earlier week. A day is compared with
 * the same weekday last week; a range moves back by whole weeks (30 days → 35) so Saturdays
 * are still compared with Saturdays.
 */
export function comparisonPeriod(period: Period): Period {
  const shift = Math.ceil(daysIn(period) / 7) * 7;
  return {
    kind: period.kind,
    from: shiftDate(period.from, -shift),
    to: shiftDate(period.to, -shift),
  };
}

/** A stable key for a period's cached figures. */
export const periodKey = (p: Pick<Period, 'from' | 'to'>) =>
  p.from === p.to ? p.from : `${p.from}..${p.to}`;

export const isSingleDay = (p: Pick<Period, 'from' | 'to'>) => p.from === p.to;
