import { MAX_COUNT, MAX_SPEND_FEN, saturatingAdd } from './limits';

/**
 * Store KPIs as the industry defines them (see DOMAIN.md). Every ratio returns `null` when its
 * denominator is zero, so a screen shows "—" instead of NaN or Infinity.
 */
export type KpiCounts = {
  footfall: number;
  recognizedVisits: number;
  alerts: number;
  claimedAlerts: number;
  convertedVisits: number;
  orders: number;
  units: number;
  /** fen */
  revenue: number;
};

export type KpiRatios = {
  /** orders ÷ footfall */
  conversionRate: number | null;
  /** converted visits ÷ recognized visits */
  recognizedConversion: number | null;
  /** average transaction value in fen: revenue ÷ orders */
  atv: number | null;
  /** units per transaction: units ÷ orders */
  upt: number | null;
  /** sales per visitor in fen: revenue ÷ footfall */
  salesPerVisitor: number | null;
};

export function ratio(numerator: number, denominator: number): number | null {
  if (!Number.isFinite(numerator) || !Number.isFinite(denominator) || denominator === 0)
    return null;
  return numerator / denominator;
}

/** Fen amounts are rounded to whole fen; plain ratios keep full precision. */
export function fenRatio(numerator: number, denominator: number): number | null {
  const value = ratio(numerator, denominator);
  return value === null ? null : Math.round(value);
}

export function kpiRatios(c: KpiCounts): KpiRatios {
  return {
    conversionRate: ratio(c.orders, c.footfall),
    recognizedConversion: ratio(c.convertedVisits, c.recognizedVisits),
    atv: fenRatio(c.revenue, c.orders),
    upt: ratio(c.units, c.orders),
    salesPerVisitor: fenRatio(c.revenue, c.footfall),
  };
}

export const emptyCounts = (): KpiCounts => ({
  footfall: 0,
  recognizedVisits: 0,
  alerts: 0,
  claimedAlerts: 0,
  convertedVisits: 0,
  orders: 0,
  units: 0,
  revenue: 0,
});

/** Change against a baseline (e.g. the same weekday last week) as a fraction, null if undefined. */
export function change(current: number | null, baseline: number | null): number | null {
  if (current === null || baseline === null || baseline === 0) return null;
  return (current - baseline) / baseline;
}

/** Sums two sets of counts (a period from its days, a day from its hours). */
export function addCounts(a: KpiCounts, b: KpiCounts): KpiCounts {
  // Saturating (shared/domain/limits.ts): a long range of huge days stays a safe integer.
  const add = (x: number, y: number) => saturatingAdd(x, y, MAX_COUNT);
  return {
    footfall: add(a.footfall, b.footfall),
    recognizedVisits: add(a.recognizedVisits, b.recognizedVisits),
    alerts: add(a.alerts, b.alerts),
    claimedAlerts: add(a.claimedAlerts, b.claimedAlerts),
    convertedVisits: add(a.convertedVisits, b.convertedVisits),
    orders: add(a.orders, b.orders),
    units: add(a.units, b.units),
    revenue: saturatingAdd(a.revenue, b.revenue, MAX_SPEND_FEN),
  };
}

/** A guide's share of claimed customers who bought: converted visits ÷ claimed alerts. */
export function claimConversion(c: Pick<KpiCounts, 'convertedVisits' | 'claimedAlerts'>) {
  return ratio(c.convertedVisits, c.claimedAlerts);
}

/** The steps of the store funnel, in order: door → recognised → alerted → claimed → bought. */
export const FUNNEL_STEPS = [
  'footfall',
  'recognizedVisits',
  'alerts',
  'claimedAlerts',
  'convertedVisits',
] as const satisfies readonly (keyof KpiCounts)[];
export type FunnelStepKey = (typeof FUNNEL_STEPS)[number];

export type FunnelStep = {
  key: FunnelStepKey;
  value: number;
  /** this step ÷ the first step (footfall); null when there was no footfall */
  ofFirst: number | null;
  /** this step ÷ the previous step; null for the first step or after an empty step */
  fromPrevious: number | null;
  /** people lost since the previous step (negative when a step exceeds the one before it, e.g.
   * more recognised visits than the door counter saw); null for the first step */
  drop: number | null;
  /** drop ÷ previous step; null for the first step or after an empty step */
  dropRate: number | null;
};

/**
 * The funnel with the drop at each step. Steps are not forced to shrink: a door counter can
 * undercount, and a manager should see that rather than a silently clamped figure.
 */
export function funnel(c: KpiCounts): FunnelStep[] {
  const first = c[FUNNEL_STEPS[0]];
  return FUNNEL_STEPS.map((key, i) => {
    const value = c[key];
    if (i === 0)
      return {
        key,
        value,
        ofFirst: ratio(value, first),
        fromPrevious: null,
        drop: null,
        dropRate: null,
      };
    const previous = c[FUNNEL_STEPS[i - 1]!];
    return {
      key,
      value,
      ofFirst: ratio(value, first),
      fromPrevious: ratio(value, previous),
      drop: previous - value,
      dropRate: ratio(previous - value, previous),
    };
  });
}
