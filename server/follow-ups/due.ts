import { TZDate } from '@date-fns/tz';
import { localDate, storeDay } from '../stats/store-day';

/**
 * When follow-up tasks fall due, in the store's time zone. Pure functions of an instant and a
 * zone, so the hub's tests give them hand-computed instants (DST days included).
 */

const DAY_MS = 86_400_000;

/** Calendar arithmetic on ISO dates (UTC noon-free: whole days in UTC are exact). */
export function addDaysIso(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Local midnight starting `date` in `timezone` (23 or 25 hours from the previous one on DST days). */
export const localMidnight = (date: string, timezone: string): Date =>
  storeDay(date, timezone).from;

/** The start of the store-local day after the one `instant` falls on: a visit's follow-up. */
export function nextLocalDay(instant: Date, timezone: string): Date {
  return localMidnight(addDaysIso(localDate(instant, timezone), 1), timezone);
}

/** The start of the local day `days` after the one `instant` falls on (N days after a purchase). */
export function localDayAfter(instant: Date, timezone: string, days: number): Date {
  return localMidnight(addDaysIso(localDate(instant, timezone), days), timezone);
}

/** Monday (ISO week start) of the week holding `date`. */
export function weekStart(date: string): string {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDaysIso(date, -((weekday + 6) % 7));
}

const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** The member's birthday in `year` (29 February falls on the 28th in other years). */
export function birthdayIn(year: number, monthDay: string): string {
  const md = monthDay === '02-29' && !isLeap(year) ? '02-28' : monthDay;
  return `${String(year).padStart(4, '0')}-${md}`;
}

export type BirthdayWeek = {
  /** the birthday this week holds (its year is the task's source: one task a year) */
  birthday: string;
  /** the task falls due at the start of the birthday's week (Monday, local midnight) */
  dueAt: Date;
};

/**
 * The birthday whose week (Monday–Sunday, store-local) holds the local day of `now`, or null.
 * A week can straddle New Year: on 30 December a birthday on 1 January of next year is this week.
 */
export function birthdayWeekOf(now: Date, timezone: string, monthDay: string): BirthdayWeek | null {
  const today = localDate(now, timezone);
  const monday = weekStart(today);
  const year = Number(today.slice(0, 4));
  for (const y of [year - 1, year, year + 1]) {
    const birthday = birthdayIn(y, monthDay);
    if (weekStart(birthday) === monday) return { birthday, dueAt: localMidnight(monday, timezone) };
  }
  return null;
}

/** The local hour a due instant shows at, for tests and logs ("2026-03-30 00:00"). */
export const localWallClock = (instant: Date, timezone: string): string => {
  const t = new TZDate(instant.getTime(), timezone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())} ${pad(t.getHours())}:${pad(t.getMinutes())}`;
};
