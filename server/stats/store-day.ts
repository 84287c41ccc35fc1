import { TZDate } from '@date-fns/tz';
// The functions' own modules, not the package's index: the index loads every date-fns module
// (≈ 0.2 CPU-s more at each start of the hub bundle, which resolves it from node_modules).
import { addDays } from 'date-fns/addDays';
import { format } from 'date-fns/format';

const HOUR_MS = 3_600_000;

/** One hour of a store-local day: `[start, end)` as instants, labelled with the local wall clock. */
export type HourBucket = {
  /** position of the day in the requested list */
  day: number;
  /** elapsed hours since local midnight */
  index: number;
  start: Date;
  end: Date;
  /** local wall-clock start, "HH:mm" (twice "02:00" on the day clocks go back) */
  label: string;
};

export type StoreDay = { date: string; from: Date; to: Date; hours: HourBucket[] };

/**
 * The store-local day `[local midnight, next local midnight)` with one bucket per elapsed hour:
 * 23, 24 or 25 buckets depending on daylight saving. Buckets are elapsed hours, not wall-clock
 * hours, so the hour clocks go back is counted twice and the skipped hour not at all — a manager
 * comparing hours sees real 60-minute slices. The last bucket is cut at the next midnight, which
 * only matters for zones whose offset change is not a whole hour.
 */
export function storeDay(date: string, timezone: string, day = 0): StoreDay {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const midnight = new TZDate(y, m - 1, d, timezone);
  const from = new Date(midnight.getTime());
  const to = new Date(addDays(midnight, 1).getTime());
  const hours: HourBucket[] = [];
  for (let t = from.getTime(), index = 0; t < to.getTime(); t += HOUR_MS, index++) {
    hours.push({
      day,
      index,
      start: new Date(t),
      end: new Date(Math.min(t + HOUR_MS, to.getTime())),
      label: format(new TZDate(t, timezone), 'HH:mm'),
    });
  }
  return { date, from, to, hours };
}

/** The store-local calendar day ("YYYY-MM-DD") an instant falls on. */
export function localDate(instant: Date | number, timezone: string): string {
  return format(
    new TZDate(typeof instant === 'number' ? instant : instant.getTime(), timezone),
    'yyyy-MM-dd',
  );
}

/** Every calendar day from `from` to `to` inclusive (ISO dates; `from` ≤ `to`). */
export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  // Calendar arithmetic in UTC is exact for whole days; no time zone is involved here.
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}
