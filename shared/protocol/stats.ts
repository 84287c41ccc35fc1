import { z } from 'zod';
import { isoDate, isoInstant, uuid } from './common';
import { noPurchaseCounts } from './follow-ups';
import { dwellStats } from './dwell';
import { storePerformance } from './guide-performance';

export const statsQuery = z.object({ date: isoDate });

const counts = {
  footfall: z.number().int().nonnegative(),
  recognizedVisits: z.number().int().nonnegative(),
  alerts: z.number().int().nonnegative(),
  claimedAlerts: z.number().int().nonnegative(),
  convertedVisits: z.number().int().nonnegative(),
  orders: z.number().int().nonnegative(),
  units: z.number().int().nonnegative(),
  revenue: z.number().int().nonnegative(),
};
const ratios = {
  conversionRate: z.number().nullable(),
  recognizedConversion: z.number().nullable(),
  atv: z.number().nullable(),
  upt: z.number().nullable(),
  salesPerVisitor: z.number().nullable(),
};

/**
 * After-sale figures (issue #16): returns count on the day the goods came back (a March sale
 * returned in April lowers April), per guide against the guide who SOLD the order — the credit a
 * refund takes back. `netRevenue` = revenue − refunds; `returnsRate` = refunds ÷ revenue of the
 * same period (null without revenue). Absent from hubs before issue #16.
 */
export const afterSaleStats = z.object({
  returns: z.number().int().nonnegative(),
  returnedUnits: z.number().int().nonnegative(),
  /** fen refunded */
  refunds: z.number().int().nonnegative(),
  /** fen; negative when a day's refunds exceed its sales */
  netRevenue: z.number().int(),
  returnsRate: z.number().nullable(),
});
export type AfterSaleStats = z.infer<typeof afterSaleStats>;

export const hourStats = z.object({
  /** elapsed hours since store-local midnight (0…22/23/24 on DST days) */
  index: z.number().int().nonnegative(),
  start: isoInstant,
  /** store-local wall-clock label, e.g. "09:00" */
  label: z.string(),
  ...counts,
  ...ratios,
});
export type HourStats = z.infer<typeof hourStats>;

export const guideStats = z.object({
  guideId: uuid,
  name: z.string(),
  ...counts,
  ...ratios,
  /** converted visits ÷ claimed alerts */
  claimConversion: z.number().nullable(),
  afterSale: afterSaleStats.optional(),
});
export type GuideStats = z.infer<typeof guideStats>;

export const dayStats = z.object({
  storeId: uuid,
  date: isoDate,
  timezone: z.string(),
  from: isoInstant,
  to: isoInstant,
  ...counts,
  ...ratios,
  byHour: z.array(hourStats),
  byGuide: z.array(guideStats),
  /** why claimed customers left without buying, by the visit's start (#15; absent from older hubs) */
  noPurchaseReasons: noPurchaseCounts.optional(),
  /** 导购业绩 for the day (#15 item 6; absent from older hubs) */
  performance: storePerformance.optional(),
  /** median time in store, converted and not (#16 item 6; absent from older hubs) */
  dwell: dwellStats.optional(),
  afterSale: afterSaleStats.optional(),
});
export type DayStats = z.infer<typeof dayStats>;

/** Longest period the range form answers in one call (a quarter). */
export const MAX_STATS_RANGE_DAYS = 92;
const DAY_MS = 86_400_000;

/** `?from=YYYY-MM-DD&to=YYYY-MM-DD`: store-local days, both inclusive. */
export const statsRangeQuery = z
  .object({ from: isoDate, to: isoDate })
  .refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['to'] })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / DAY_MS < MAX_STATS_RANGE_DAYS, {
    message: `at most ${MAX_STATS_RANGE_DAYS} days`,
    path: ['to'],
  });
export type StatsRangeQuery = z.infer<typeof statsRangeQuery>;

/** `GET /stores/:storeId/stats`: `?date=` for one day, or `?from=&to=` for a period. */
export const storeStatsQuery = z
  .object({ date: isoDate.optional(), from: isoDate.optional(), to: isoDate.optional() })
  .superRefine((q, ctx) => {
    if (q.date !== undefined) {
      if (q.from !== undefined || q.to !== undefined)
        ctx.addIssue({ code: 'custom', message: 'give date, or from and to', path: ['date'] });
      return;
    }
    const range = statsRangeQuery.safeParse(q);
    if (!range.success) for (const issue of range.error.issues) ctx.addIssue({ ...issue });
  });

/** A period's figures summed over its days, with ratios recomputed from the sums. */
export const periodTotals = z.object({
  ...counts,
  ...ratios,
  byGuide: z.array(guideStats),
  noPurchaseReasons: noPurchaseCounts.optional(),
  /** 导购业绩 for the whole period (#15 item 6; absent from older hubs) */
  performance: storePerformance.optional(),
  /** median time in store over the period, converted and not (#16 item 6) */
  dwell: dwellStats.optional(),
  afterSale: afterSaleStats.optional(),
});
export type PeriodTotals = z.infer<typeof periodTotals>;

export const rangeStats = z.object({
  storeId: uuid,
  timezone: z.string(),
  from: isoDate,
  to: isoDate,
  days: z.array(dayStats),
  total: periodTotals,
});
export type RangeStats = z.infer<typeof rangeStats>;
