import { z } from 'zod';
import type { KpiCounts, KpiRatios } from '../../shared/domain/kpi';
import {
  dayStats,
  guideStats,
  isoInstant,
  noPurchaseCounts,
  type DayStats,
  type NoPurchaseCounts,
  type GuideStats,
  type RangeStats,
  type StorePerformance,
  storePerformance,
  type DwellStats,
  dwellStats,
  type AfterSaleStats,
  afterSaleStats,
} from '../../shared/protocol';

/** A period's figures as the dashboard shows them, whether the hub sent a day or a range. */
export type Figures = {
  storeId: string;
  timezone: string;
  from: string;
  to: string;
  totals: KpiCounts & KpiRatios;
  byGuide: GuideStats[];
  /** one entry per store-local day; a single day carries its hours */
  days: DayStats[];
  /** why claimed customers left without buying (#15; absent from an older hub) */
  noPurchaseReasons?: NoPurchaseCounts;
  /** 导购业绩 for the period (#15 item 6; absent from an older hub) */
  performance?: StorePerformance;
  /** median time in store, converted and not (#16 item 6; absent from an older hub) */
  dwell?: DwellStats;
  /** refunds, net revenue and returns rate of the period (#16 item 1; absent from an older hub) */
  afterSale?: AfterSaleStats;
};

export const figuresSchema = z.object({
  storeId: z.string(),
  timezone: z.string(),
  from: z.string(),
  to: z.string(),
  totals: dayStats.omit({
    byHour: true,
    byGuide: true,
    storeId: true,
    date: true,
    timezone: true,
    from: true,
    to: true,
  }),
  byGuide: z.array(guideStats),
  days: z.array(dayStats),
  noPurchaseReasons: noPurchaseCounts.optional(),
  performance: storePerformance.optional(),
  dwell: dwellStats.optional(),
  afterSale: afterSaleStats.optional(),
});

/** Figures fetched from the hub, and when: the "as of" a manager sees while offline. */
export type FetchedFigures = { figures: Figures; fetchedAt: string };
export const fetchedFiguresSchema = z.object({ figures: figuresSchema, fetchedAt: isoInstant });

const COUNT_AND_RATIO_KEYS = [
  'footfall',
  'recognizedVisits',
  'alerts',
  'claimedAlerts',
  'convertedVisits',
  'orders',
  'units',
  'revenue',
  'conversionRate',
  'recognizedConversion',
  'atv',
  'upt',
  'salesPerVisitor',
] as const satisfies readonly (keyof (KpiCounts & KpiRatios))[];

function pickTotals(source: KpiCounts & KpiRatios): KpiCounts & KpiRatios {
  const out: Partial<Record<keyof (KpiCounts & KpiRatios), number | null>> = {};
  for (const key of COUNT_AND_RATIO_KEYS) out[key] = source[key];
  return out as KpiCounts & KpiRatios;
}

export function figuresFromDay(day: DayStats): Figures {
  return {
    storeId: day.storeId,
    timezone: day.timezone,
    from: day.date,
    to: day.date,
    totals: pickTotals(day),
    byGuide: day.byGuide,
    days: [day],
    ...(day.noPurchaseReasons ? { noPurchaseReasons: day.noPurchaseReasons } : {}),
    ...(day.performance ? { performance: day.performance } : {}),
    ...(day.dwell ? { dwell: day.dwell } : {}),
    ...(day.afterSale ? { afterSale: day.afterSale } : {}),
  };
}

export function figuresFromRange(range: RangeStats): Figures {
  return {
    storeId: range.storeId,
    timezone: range.timezone,
    from: range.from,
    to: range.to,
    totals: pickTotals(range.total),
    byGuide: range.total.byGuide,
    days: range.days,
    ...(range.total.noPurchaseReasons ? { noPurchaseReasons: range.total.noPurchaseReasons } : {}),
    ...(range.total.performance ? { performance: range.total.performance } : {}),
    ...(range.total.dwell ? { dwell: range.total.dwell } : {}),
    ...(range.total.afterSale ? { afterSale: range.total.afterSale } : {}),
  };
}
