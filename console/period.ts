import { MAX_STATS_RANGE_DAYS } from '../shared/protocol/stats';

export type PeriodKind = 'day' | 'week' | 'month' | 'custom';
export type Period = { from: string; to: string };

const DAY_MS = 86_400_000;
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
const dayOf = (date: string) => Date.parse(`${date}T00:00:00Z`);

/** Today's calendar date where the browser is (head office's own day), "YYYY-MM-DD". */
export function localToday(now: Date = new Date()): string {
  return iso(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()));
}

/**
 * The calendar days a period kind covers around `anchor`: the day; its week, Monday to Sunday
 * (as Chinese retail counts weeks); its calendar month. Each store reads them in its own zone.
 */
export function periodOf(kind: Exclude<PeriodKind, 'custom'>, anchor: string): Period {
  const t = dayOf(anchor);
  if (kind === 'day') return { from: anchor, to: anchor };
  if (kind === 'week') {
    const monday = t - ((new Date(t).getUTCDay() + 6) % 7) * DAY_MS;
    return { from: iso(monday), to: iso(monday + 6 * DAY_MS) };
  }
  const d = new Date(t);
  return {
    from: iso(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)),
    to: iso(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)),
  };
}

/** A custom period the hub answers: real dates, from ≤ to, at most 92 days. */
export function validPeriod(p: Period): boolean {
  const [from, to] = [dayOf(p.from), dayOf(p.to)];
  return (
    Number.isFinite(from) &&
    Number.isFinite(to) &&
    from <= to &&
    (to - from) / DAY_MS < MAX_STATS_RANGE_DAYS
  );
}
