import {
  addCounts,
  claimConversion,
  emptyCounts,
  kpiRatios,
  type KpiCounts,
} from '../../shared/domain/kpi';
import {
  emptyNoPurchaseCounts,
  type DayStats,
  type GuideStats,
  type NoPurchaseCounts,
  type PeriodTotals,
  type RangeStats,
} from '../../shared/protocol';
import { MAX_COUNT, MAX_SPEND_FEN, saturatingAdd } from '../../shared/domain/limits';
import type { Queryable } from '../db/database';
import { notFound } from '../http/errors';
import { dwellFor } from './dwell';
import { storePerformanceFor } from './guide-performance';
import {
  addReturns,
  afterSaleFigures,
  emptyReturns,
  returnsByDayAndSeller,
  type ReturnCounts,
} from './returns';
import { datesBetween, storeDay, type StoreDay } from './store-day';

type GuideRow = { id: string; name: string; active: boolean };
/** One aggregate row per (day, hour) bucket or per (day, guide). */
type BucketRow = { d: number; i: number } & Partial<Record<keyof KpiCounts, number | string>>;
type GuideBucketRow = { d: number; guide_id: string } & Partial<
  Record<keyof KpiCounts, number | string>
>;

/**
 * Hour buckets travel to the database as one JSON list, so every figure of every requested day
 * is one query per source table, whatever the number of days, and the store-local day and DST
 * arithmetic stays in one place (store-day.ts) instead of being repeated in SQL.
 */
const BUCKETS = `with h as (
  select * from jsonb_to_recordset($2::jsonb) as h(d int, i int, s timestamptz, e timestamptz)
)`;
/** The same buckets collapsed to whole days, for per-guide figures. */
const DAYS = `with h as (
  select d, min(s) as s, max(e) as e
    from jsonb_to_recordset($2::jsonb) as h(d int, i int, s timestamptz, e timestamptz)
   group by d
)`;

const HOURLY_SQL = [
  `${BUCKETS}
   select h.d, h.i, least(sum(f.count), ${MAX_COUNT})::int as footfall
     from h join footfall f on f.store_id = $1 and f.at >= h.s and f.at < h.e
    group by h.d, h.i`,
  // Recognised visits are the ones with a customer; they count on the hour they began.
  `${BUCKETS}
   select h.d, h.i, count(*)::int as "recognizedVisits",
          count(v.converted_at)::int as "convertedVisits"
     from h join visits v on v.store_id = $1 and v.customer_id is not null
                         and v.started_at >= h.s and v.started_at < h.e
    group by h.d, h.i`,
  `${BUCKETS}
   select h.d, h.i, count(*)::int as alerts, count(a.claimed_by)::int as "claimedAlerts"
     from h join alerts a on a.store_id = $1 and a.raised_at >= h.s and a.raised_at < h.e
    group by h.d, h.i`,
  `${BUCKETS}
   select h.d, h.i, count(*)::int as orders, least(sum(o.units), ${MAX_COUNT})::int as units,
          least(sum(o.total), ${MAX_SPEND_FEN})::text as revenue
     from h join orders o on o.store_id = $1 and o.created_at >= h.s and o.created_at < h.e
    group by h.d, h.i`,
];

const GUIDE_SQL = [
  `${DAYS}
   select h.d, a.claimed_by::text as guide_id, count(*)::int as "claimedAlerts"
     from h join alerts a on a.store_id = $1 and a.raised_at >= h.s and a.raised_at < h.e
    where a.claimed_by is not null
    group by h.d, a.claimed_by`,
  // A converted visit is credited to the guide who claimed its alert.
  `${DAYS}
   select h.d, a.claimed_by::text as guide_id, count(*)::int as "convertedVisits"
     from h join visits v on v.store_id = $1 and v.customer_id is not null
                         and v.started_at >= h.s and v.started_at < h.e
            join alerts a on a.id = v.alert_id
    where v.converted_at is not null and a.claimed_by is not null
    group by h.d, a.claimed_by`,
  `${DAYS}
   select h.d, o.guide_id::text as guide_id, count(*)::int as orders,
          least(sum(o.units), ${MAX_COUNT})::int as units, least(sum(o.total), ${MAX_SPEND_FEN})::text as revenue
     from h join orders o on o.store_id = $1 and o.created_at >= h.s and o.created_at < h.e
    group by h.d, o.guide_id`,
];

/**
 * Why claimed customers left without buying (#15 item 5), counted on the day their visit began,
 * like the visits they explain.
 */
const REASONS_SQL = `${DAYS}
   select h.d, vo.reason, count(*)::int as n
     from h join visits v on v.store_id = $1 and v.started_at >= h.s and v.started_at < h.e
            join visit_outcomes vo on vo.visit_id = v.id
    group by h.d, vo.reason`;

/** Pinyin order, as a Chinese manager expects a staff list. */
const byName = new Intl.Collator('zh-CN');

const COUNT_KEYS = Object.keys(emptyCounts()) as (keyof KpiCounts)[];

function addRow(target: KpiCounts, row: Partial<Record<keyof KpiCounts, number | string>>) {
  for (const key of COUNT_KEYS) {
    const value = row[key];
    // Saturating like the SQL's least(): a safe integer whatever the range (limits.ts).
    if (value !== undefined && value !== null)
      target[key] = saturatingAdd(
        target[key],
        Number(value),
        key === 'revenue' ? MAX_SPEND_FEN : MAX_COUNT,
      );
  }
}

function guideFigures(
  guide: GuideRow,
  counts: KpiCounts,
  returned: ReturnCounts = emptyReturns(),
): GuideStats {
  return {
    guideId: guide.id,
    name: guide.name,
    ...counts,
    ...kpiRatios(counts),
    claimConversion: claimConversion(counts),
    afterSale: afterSaleFigures(counts.revenue, returned),
  };
}

/**
 * Figures for each store-local day in `dates` (ISO dates), as the manager's daily review shows
 * them: totals, one entry per elapsed hour, and one per guide. Every guide of the store is
 * listed (inactive ones only when they did something that day), so a guide with no sales shows
 * as zero rather than missing.
 */
export async function storeDayStats(
  db: Queryable,
  storeId: string,
  dates: string[],
): Promise<{ timezone: string; guides: GuideRow[]; days: DayStats[] }> {
  const [store] = await db.query<{ timezone: string }>(
    'select timezone from stores where id = $1',
    [storeId],
  );
  if (!store) throw notFound(`store ${storeId} not found`);
  const { timezone } = store;
  // Sorted here, not in SQL: the two databases may collate Chinese names differently.
  const guides = (
    await db.query<GuideRow>(
      'select id::text as id, name, active from guides where store_id = $1',
      [storeId],
    )
  ).sort((a, b) => byName.compare(a.name, b.name) || a.id.localeCompare(b.id));
  const days: StoreDay[] = dates.map((date, d) => storeDay(date, timezone, d));
  const buckets = JSON.stringify(
    days.flatMap((day) =>
      day.hours.map((h) => ({
        d: h.day,
        i: h.index,
        s: h.start.toISOString(),
        e: h.end.toISOString(),
      })),
    ),
  );

  const hourly = days.map((day) => day.hours.map(() => emptyCounts()));
  const byGuide = days.map(() => new Map<string, KpiCounts>());
  for (const sql of HOURLY_SQL) {
    for (const row of await db.query<BucketRow>(sql, [storeId, buckets]))
      addRow(hourly[row.d]![row.i]!, row);
  }
  for (const sql of GUIDE_SQL) {
    for (const row of await db.query<GuideBucketRow>(sql, [storeId, buckets])) {
      const map = byGuide[row.d]!;
      const counts = map.get(row.guide_id) ?? emptyCounts();
      addRow(counts, row);
      map.set(row.guide_id, counts);
    }
  }

  const reasons = days.map(() => emptyNoPurchaseCounts());
  for (const row of await db.query<{ d: number; reason: keyof NoPurchaseCounts; n: number }>(
    REASONS_SQL,
    [storeId, buckets],
  ))
    if (row.reason in reasons[row.d]!) reasons[row.d]![row.reason] += row.n;

  const returned = await returnsByDayAndSeller(db, storeId, buckets, days.length);

  return {
    timezone,
    guides,
    days: days.map((day, d): DayStats => {
      const counts = hourly[d]!.reduce(addCounts, emptyCounts());
      const guideCounts = byGuide[d]!;
      const sellerReturns = returned.bySeller[d]!;
      return {
        storeId,
        date: day.date,
        timezone,
        from: day.from.toISOString(),
        to: day.to.toISOString(),
        ...counts,
        ...kpiRatios(counts),
        byHour: day.hours.map((h) => {
          const c = hourly[d]![h.index]!;
          return {
            index: h.index,
            start: h.start.toISOString(),
            label: h.label,
            ...c,
            ...kpiRatios(c),
          };
        }),
        byGuide: guides
          .filter((g) => g.active || guideCounts.has(g.id) || sellerReturns.has(g.id))
          .map((g) =>
            guideFigures(g, guideCounts.get(g.id) ?? emptyCounts(), sellerReturns.get(g.id)),
          ),
        noPurchaseReasons: reasons[d]!,
        afterSale: afterSaleFigures(counts.revenue, returned.byDay[d]!),
      };
    }),
  };
}

/** The day form: the day's figures and its 导购业绩 (as of `now` while the day runs). */
export async function storeDayWithPerformance(
  db: Queryable,
  storeId: string,
  date: string,
  now: Date = new Date(),
): Promise<DayStats> {
  const { timezone, guides, days } = await storeDayStats(db, storeId, [date]);
  const day = days[0]!;
  const performance = await storePerformanceFor(db, {
    storeId,
    timezone,
    from: new Date(day.from),
    to: new Date(day.to),
    now,
    guides,
    // the counter's sales net of refunds: a return takes the sale off the guide who made it
    inStore: new Map(
      day.byGuide.map((g) => [
        g.guideId,
        { ...pickCounts(g), revenue: g.afterSale?.netRevenue ?? g.revenue },
      ]),
    ),
  });
  const dwell = await dwellFor(db, storeId, new Date(day.from), new Date(day.to));
  return { ...day, performance, dwell };
}

/**
 * The range form: each day, and the period's totals with ratios over the sums and the period's
 * 导购业绩 (as of `now` while the period runs).
 */
export async function storeRangeStats(
  db: Queryable,
  storeId: string,
  from: string,
  to: string,
  now: Date = new Date(),
): Promise<RangeStats> {
  const { timezone, guides, days } = await storeDayStats(db, storeId, datesBetween(from, to));
  const counts = days.reduce<KpiCounts>(
    (sum, day) => addCounts(sum, pickCounts(day)),
    emptyCounts(),
  );
  const guideTotals = new Map<string, KpiCounts>();
  const guideReturns = new Map<string, ReturnCounts>();
  let returned = emptyReturns();
  for (const day of days) {
    returned = addReturns(returned, pickReturns(day.afterSale));
    for (const g of day.byGuide) {
      guideTotals.set(
        g.guideId,
        addCounts(guideTotals.get(g.guideId) ?? emptyCounts(), pickCounts(g)),
      );
      guideReturns.set(
        g.guideId,
        addReturns(guideReturns.get(g.guideId) ?? emptyReturns(), pickReturns(g.afterSale)),
      );
    }
  }
  const total: PeriodTotals = {
    ...counts,
    ...kpiRatios(counts),
    byGuide: guides
      .filter((g) => guideTotals.has(g.id))
      .map((g) => guideFigures(g, guideTotals.get(g.id)!, guideReturns.get(g.id))),
    noPurchaseReasons: sumReasons(days),
    performance: await storePerformanceFor(db, {
      storeId,
      timezone,
      from: new Date(days[0]!.from),
      to: new Date(days.at(-1)!.to),
      now,
      guides,
      // the counter's sales net of refunds: a return takes the sale off the guide who made it
      inStore: new Map(
        [...guideTotals].map(([id, c]) => [
          id,
          { ...c, revenue: c.revenue - (guideReturns.get(id)?.refunds ?? 0) },
        ]),
      ),
    }),
    afterSale: afterSaleFigures(counts.revenue, returned),
  };
  total.dwell = await dwellFor(db, storeId, new Date(days[0]!.from), new Date(days.at(-1)!.to));
  return { storeId, timezone, from, to, days, total };
}

/** The returned counts of a day's (or a guide's) after-sale figures; none for an older shape. */
export function pickReturns(source: ReturnCounts | undefined): ReturnCounts {
  return source
    ? { returns: source.returns, returnedUnits: source.returnedUnits, refunds: source.refunds }
    : emptyReturns();
}

function pickCounts(source: KpiCounts): KpiCounts {
  const out = emptyCounts();
  for (const key of COUNT_KEYS) out[key] = source[key];
  return out;
}

/** The period's no-purchase reasons: each day's summed. */
export function sumReasons(days: readonly Pick<DayStats, 'noPurchaseReasons'>[]): NoPurchaseCounts {
  const total = emptyNoPurchaseCounts();
  for (const day of days)
    for (const key of Object.keys(total) as (keyof NoPurchaseCounts)[])
      total[key] += day.noPurchaseReasons?.[key] ?? 0;
  return total;
}
