import { addCounts, emptyCounts, kpiRatios, type KpiCounts } from '../../shared/domain/kpi';
import type {
  ChainFigures,
  ChainRegion,
  ChainStats,
  ChainStore,
  StatsRangeQuery,
} from '../../shared/protocol';
import { creditStatement } from '../credit/statement';
import type { Queryable } from '../db/database';
import { afterSaleFigures, addReturns, emptyReturns, type ReturnCounts } from './returns';
import { pickReturns, storeDayStats } from './service';
import { datesBetween } from './store-day';

/** Pinyin order for store and region names, as head office reads a list. */
const byName = new Intl.Collator('zh-CN');

const COUNT_KEYS = Object.keys(emptyCounts()) as (keyof KpiCounts)[];

function figures(counts: KpiCounts, creditedOnline: number, returned: ReturnCounts): ChainFigures {
  const { conversionRate, atv } = kpiRatios(counts);
  const { refunds, netRevenue, returnsRate } = afterSaleFigures(counts.revenue, returned);
  const out = {
    ...emptyCounts(),
    creditedOnline,
    refunds,
    netRevenue,
    returnsRate,
    conversionRate,
    atv,
  };
  for (const key of COUNT_KEYS) out[key] = counts[key];
  return out;
}

/**
 * The chain's KPIs for head office (issue #15 item 6): every store over `from`…`to` in its own
 * time zone, its regions and the chain. Each store's figures are the manager's dashboard's own
 * (`storeDayStats`: the same queries, the same store-local days and DST hours, summed like the
 * range form sums them, without its 导购业绩 the chain view does not show; its refunds, net revenue
 * and returns rate too — issue #16, returns on the day the goods came back) and its credited
 * online sales are the benefit-sharing statement's net (`creditStatement`), so the console, the
 * dashboard and the statement can never disagree. Ratios of a region or the chain are computed
 * from its sums, never averaged. Costs one computation per store (about ten queries): fine for the
 * hundreds of stores of a chain and a period of at most 92 days.
 */
export async function chainStats(db: Queryable, query: StatsRangeQuery): Promise<ChainStats> {
  const stores = await db.query<{ id: string; name: string; region: string | null }>(
    'select id::text as id, name, region from stores',
  );
  stores.sort((a, b) => byName.compare(a.name, b.name) || a.id.localeCompare(b.id));
  const statement = await creditStatement(db, query);
  const credited = new Map(statement.stores.map((s) => [s.storeId, s.total.net]));
  const dates = datesBetween(query.from, query.to);

  const out: ChainStore[] = [];
  type Sums = { stores: number; counts: KpiCounts; online: number; returned: ReturnCounts };
  const regions = new Map<string | null, Sums>();
  let chain = emptyCounts();
  let chainOnline = 0;
  let chainReturned = emptyReturns();
  for (const store of stores) {
    const range = await storeDayStats(db, store.id, dates);
    const total = range.days.reduce<KpiCounts>((sum, day) => addCounts(sum, day), emptyCounts());
    const returned = range.days.reduce<ReturnCounts>(
      (sum, day) => addReturns(sum, pickReturns(day.afterSale)),
      emptyReturns(),
    );
    const online = credited.get(store.id) ?? 0;
    out.push({
      storeId: store.id,
      name: store.name,
      region: store.region,
      timezone: range.timezone,
      ...figures(total, online, returned),
      days: range.days.map((day) => ({
        date: day.date,
        footfall: day.footfall,
        orders: day.orders,
        revenue: day.revenue,
        conversionRate: day.conversionRate,
      })),
    });
    const region = regions.get(store.region) ?? {
      stores: 0,
      counts: emptyCounts(),
      online: 0,
      returned: emptyReturns(),
    };
    region.stores += 1;
    region.counts = addCounts(region.counts, total);
    region.online += online;
    region.returned = addReturns(region.returned, returned);
    regions.set(store.region, region);
    chain = addCounts(chain, total);
    chainOnline += online;
    chainReturned = addReturns(chainReturned, returned);
  }
  const regionList: ChainRegion[] = [...regions.entries()]
    // Named regions by name, the stores without one last.
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : byName.compare(a, b)))
    .map(([region, r]) => ({
      region,
      stores: r.stores,
      ...figures(r.counts, r.online, r.returned),
    }));
  return {
    from: query.from,
    to: query.to,
    stores: out,
    regions: regionList,
    total: { stores: out.length, ...figures(chain, chainOnline, chainReturned) },
  };
}
