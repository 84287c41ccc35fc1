/**
 * Hand-made store figures for the dashboard's component tests and screenshot (not imported by
 * app code). Every ratio is computed with the shared KPI functions, as the hub computes them.
 */
import {
  addCounts,
  claimConversion,
  emptyCounts,
  kpiRatios,
  ratio,
  type KpiCounts,
} from '../../shared/domain/kpi';
import {
  emptyNoPurchaseCounts,
  type AfterSaleStats,
  type DayStats,
  type GuidePerformance,
  type GuideStats,
  type NoPurchaseCounts,
  type StorePerformance,
} from '../../shared/protocol';
import { err, ok } from '../../shared/result';
import { figuresFromDay, type Figures } from './figures';
import { daysIn, periodKey } from './period';
import type { StatsError, StatsSource } from './stats-client';

export const FIXTURE_STORE = '0190f0a0-0000-7000-8000-000000000001';
export const FIXTURE_TZ = 'Asia/Shanghai';

export type GuideFixture = { id: string; name: string; counts: Partial<KpiCounts> };

const counts = (c: Partial<KpiCounts>): KpiCounts => ({ ...emptyCounts(), ...c });

/** A Shanghai day with figures in the given hours (store-local hour → counts). */
export function makeDay(
  date: string,
  hours: Record<number, Partial<KpiCounts>>,
  guides: GuideFixture[] = [],
  storePerformance?: StorePerformance,
): DayStats {
  const midnight = Date.parse(`${date}T00:00:00+08:00`);
  const byHour = Array.from({ length: 24 }, (_, i) => {
    const c = counts(hours[i] ?? {});
    return {
      index: i,
      start: new Date(midnight + i * 3_600_000).toISOString(),
      label: `${String(i).padStart(2, '0')}:00`,
      ...c,
      ...kpiRatios(c),
    };
  });
  const total = byHour.reduce<KpiCounts>((sum, h) => addCounts(sum, h), emptyCounts());
  return {
    storeId: FIXTURE_STORE,
    date,
    timezone: FIXTURE_TZ,
    from: new Date(midnight).toISOString(),
    to: new Date(midnight + 86_400_000).toISOString(),
    ...pick(total),
    ...kpiRatios(total),
    byHour,
    byGuide: guides.map((g) => guide(g)),
    ...(storePerformance ? { performance: storePerformance } : {}),
  };
}

/** One guide's 导购业绩 row; the credited total is computed as the hub computes it. */
export function performance(
  g: { id: string; name: string },
  figures: Partial<Omit<GuidePerformance, 'noPurchaseReasons'>> & {
    noPurchaseReasons?: Partial<NoPurchaseCounts>;
  },
): GuidePerformance {
  const inStoreRevenue = figures.inStoreRevenue ?? 0;
  const creditedOnline = figures.creditedOnline ?? 0;
  return {
    guideId: g.id,
    name: g.name,
    boundCustomers: figures.boundCustomers ?? 0,
    followUpsDone: figures.followUpsDone ?? 0,
    followUpsOverdue: figures.followUpsOverdue ?? 0,
    convertedVisits: figures.convertedVisits ?? 0,
    inStoreRevenue,
    creditedOnline,
    creditedRevenue: inStoreRevenue + creditedOnline,
    noPurchaseReasons: { ...emptyNoPurchaseCounts(), ...figures.noPurchaseReasons },
  };
}

function pick(c: KpiCounts): KpiCounts {
  return addCounts(emptyCounts(), c);
}

export function guide(g: GuideFixture): GuideStats {
  const c = counts(g.counts);
  return {
    guideId: g.id,
    name: g.name,
    ...c,
    ...kpiRatios(c),
    claimConversion: claimConversion(c),
  };
}

type Returned = { returns: number; returnedUnits: number; refunds: number };

/** After-sale figures against `revenue`, as the hub computes them (server/stats/returns.ts). */
export function afterSale(revenue: number, r: Returned): AfterSaleStats {
  return { ...r, netRevenue: revenue - r.refunds, returnsRate: ratio(r.refunds, revenue) };
}

/**
 * A day with returns: the store's, and per guide (by guide id, against the guide who sold); a
 * guide not named has none.
 */
export function withReturns(
  day: DayStats,
  store: Returned,
  byGuide: Record<string, Returned> = {},
): DayStats {
  const none = { returns: 0, returnedUnits: 0, refunds: 0 };
  return {
    ...day,
    afterSale: afterSale(day.revenue, store),
    byGuide: day.byGuide.map((g) => ({
      ...g,
      afterSale: afterSale(g.revenue, byGuide[g.guideId] ?? none),
    })),
  };
}

const sumReturned = (items: (AfterSaleStats | undefined)[]): Returned | null =>
  items.some((a) => a !== undefined)
    ? items.reduce<Returned>(
        (sum, a) => ({
          returns: sum.returns + (a?.returns ?? 0),
          returnedUnits: sum.returnedUnits + (a?.returnedUnits ?? 0),
          refunds: sum.refunds + (a?.refunds ?? 0),
        }),
        { returns: 0, returnedUnits: 0, refunds: 0 },
      )
    : null;

/** A range built from its days, totals over the sums (what the hub's range form answers). */
export function makeRange(days: DayStats[]): Figures {
  const first = days[0]!;
  const last = days[days.length - 1]!;
  const total = days.reduce<KpiCounts>((sum, d) => addCounts(sum, d), emptyCounts());
  const guides = new Map<
    string,
    { name: string; counts: KpiCounts; afterSale: (AfterSaleStats | undefined)[] }
  >();
  for (const d of days)
    for (const g of d.byGuide) {
      const prev = guides.get(g.guideId);
      guides.set(g.guideId, {
        name: g.name,
        counts: addCounts(prev?.counts ?? emptyCounts(), pick(g)),
        afterSale: [...(prev?.afterSale ?? []), g.afterSale],
      });
    }
  const returned = sumReturned(days.map((d) => d.afterSale));
  return {
    storeId: FIXTURE_STORE,
    timezone: FIXTURE_TZ,
    from: first.date,
    to: last.date,
    totals: { ...pick(total), ...kpiRatios(total) },
    byGuide: [...guides].map(([id, g]) => {
      const r = sumReturned(g.afterSale);
      const row = guide({ id, name: g.name, counts: g.counts });
      return r ? { ...row, afterSale: afterSale(g.counts.revenue, r) } : row;
    }),
    days,
    ...(returned ? { afterSale: afterSale(total.revenue, returned) } : {}),
  };
}

/**
 * A stand-in for the hub's stats route: answers the periods it was given, and can be cut off
 * (network down) or made to refuse. Counts calls so a test can tell a refetch happened.
 */
export class FakeStatsSource implements StatsSource {
  readonly figures = new Map<string, Figures>();
  failure: StatsError | null = null;
  calls: { from: string; to: string }[] = [];
  /** resolves pending fetches only when released, to look at the loading state */
  private gate: Promise<void> | null = null;
  private release: (() => void) | null = null;

  put(figures: Figures | DayStats): this {
    const f = 'date' in figures ? figuresFromDay(figures) : figures;
    this.figures.set(periodKey(f), f);
    return this;
  }

  hold(): void {
    this.gate = new Promise((resolve) => (this.release = resolve));
  }

  releaseAll(): void {
    this.release?.();
    this.gate = null;
  }

  async fetchFigures(_storeId: string, period: { from: string; to: string }) {
    this.calls.push(period);
    if (this.gate) await this.gate;
    if (this.failure) return err(this.failure);
    const found = this.figures.get(periodKey(period));
    if (found) return ok(found);
    // A period with nothing recorded: zeros, as the hub answers an empty day.
    const days = Array.from({ length: daysIn(period) }, (_, i) =>
      makeDay(
        new Date(Date.parse(`${period.from}T12:00:00Z`) + i * 86_400_000)
          .toISOString()
          .slice(0, 10),
        {},
      ),
    );
    return ok(days.length === 1 ? figuresFromDay(days[0]!) : makeRange(days));
  }
}

/** The store's guides in the demo figures. */
export const DEMO_GUIDES = [
  { id: '0190f0a0-0000-7000-8000-0000000000b1', name: '李娜' },
  { id: '0190f0a0-0000-7000-8000-0000000000b2', name: '王芳' },
  { id: '0190f0a0-0000-7000-8000-0000000000b3', name: '张伟' },
  { id: '0190f0a0-0000-7000-8000-0000000000b4', name: '刘洋' },
  { id: '0190f0a0-0000-7000-8000-0000000000b5', name: '陈静' },
];

/**
 * A believable day for a city-centre apparel store (open 10:00–22:00, lunch and evening peaks,
 * roughly 25% conversion), deterministic for a given `scale` so screenshots are stable.
 */
export function demoDay(date: string, scale = 1): DayStats {
  const shape = [
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 18, 26, 38, 34, 30, 33, 36, 44, 52, 48, 40, 28, 12, 0,
  ];
  const hours: Record<number, Partial<KpiCounts>> = {};
  let totalOrders = 0;
  shape.forEach((base, h) => {
    if (base === 0) return;
    const footfall = Math.round(base * scale);
    const recognizedVisits = Math.round(footfall * 0.22);
    const alerts = Math.round(recognizedVisits * 0.85);
    const claimedAlerts = Math.round(alerts * 0.75);
    const convertedVisits = Math.round(claimedAlerts * 0.45);
    const orders = Math.round(footfall * (0.2 + ((h * 7) % 5) / 100));
    const units = Math.round(orders * (1.5 + ((h * 3) % 4) / 10));
    totalOrders += orders;
    hours[h] = {
      footfall,
      recognizedVisits,
      alerts,
      claimedAlerts,
      convertedVisits,
      orders,
      units,
      revenue: units * (32_900 + ((h * 1_733) % 9_000)),
    };
  });
  const day = makeDay(date, hours);
  // Share the day out between the guides (uneven, as it is in a real store).
  const weights = [0.31, 0.25, 0.2, 0.14, 0.1];
  const guides = DEMO_GUIDES.map((g, i) => {
    const w = weights[i]!;
    const share = (v: number) => Math.round(v * w);
    return guide({
      ...g,
      counts: {
        claimedAlerts: share(day.claimedAlerts),
        convertedVisits: Math.round(share(day.convertedVisits) * (1.2 - i * 0.1)),
        orders: share(totalOrders),
        units: share(day.units),
        revenue: share(day.revenue) + i * 3_700,
      },
    });
  });
  // 导购业绩: the relationship and online credit beside the counter figures (uneven, as above).
  const reasonsBy = ['price', 'size_missing', 'just_browsing', 'will_return', 'other'] as const;
  const perf = guides.map((g, i) =>
    performance(
      { id: g.guideId, name: g.name },
      {
        boundCustomers: Math.round((46 - i * 7) * scale),
        followUpsDone: Math.round((9 - i * 2) * scale),
        followUpsOverdue: i === 2 ? 3 : i === 4 ? 1 : 0,
        convertedVisits: g.convertedVisits,
        inStoreRevenue: g.revenue,
        creditedOnline: Math.round((186_000 - i * 41_000) * scale),
        noPurchaseReasons: { [reasonsBy[i]!]: 3 - (i % 3), price: i === 0 ? 4 : 1 },
      },
    ),
  );
  const creditedOnlinePool = Math.round(52_800 * scale);
  const guideReturns = guides.map((g, i) => ({
    returns: 3 - (i % 3),
    returnedUnits: 4 - (i % 3),
    refunds: Math.round(g.revenue * (0.05 - i * 0.008)),
  }));
  const storeReturns = sumReturned(guideReturns.map((r) => afterSale(0, r)))!;
  return {
    ...day,
    afterSale: afterSale(day.revenue, storeReturns),
    byGuide: guides.map((g, i) => ({ ...g, afterSale: afterSale(g.revenue, guideReturns[i]!) })),
    performance: {
      creditedOnline: perf.reduce((sum, p) => sum + p.creditedOnline, creditedOnlinePool),
      creditedOnlinePool,
      guides: perf.sort((a, b) => b.creditedRevenue - a.creditedRevenue),
    },
    dwell: {
      converted: { visits: day.convertedVisits, medianMinutes: 17.5 },
      notConverted: { visits: day.recognizedVisits - day.convertedVisits, medianMinutes: 6.5 },
    },
  };
}
