import type {
  CreditStatement,
  StatementLine,
  StatementQuery,
  StatementStore,
} from '../../shared/protocol';
import type { Queryable } from '../db/database';
import { storeDay } from '../stats/store-day';

const DAY_MS = 86_400_000;

type Figures = Omit<StatementLine, 'guideId' | 'guideName'>;
const emptyFigures = (): Figures => ({
  sales: 0,
  salesAmount: 0,
  refunds: 0,
  refundsAmount: 0,
  net: 0,
  byRule: { claimed_visit: 0, bound_guide: 0, home_store: 0 },
});

type Row = {
  store_id: string;
  store_name: string;
  timezone: string;
  guide_id: string | null;
  guide_name: string | null;
  kind: 'sale' | 'refund';
  rule: 'claimed_visit' | 'bound_guide' | 'home_store';
  amount: string | number;
  at: string | Date;
};

function add(figures: Figures, row: Row): void {
  const amount = Number(row.amount);
  if (row.kind === 'sale') {
    figures.sales += 1;
    figures.salesAmount += amount;
  } else {
    figures.refunds += 1;
    figures.refundsAmount += amount;
  }
  figures.net += amount;
  figures.byRule[row.rule] += amount;
}

/**
 * Head office's benefit-sharing statement (issue #15 item 6): what each store and guide was
 * credited for online sales in a period, sales less refunds, by rule. `from` / `to` are calendar
 * days read in each store's own time zone — [local midnight of `from`, local midnight after `to`)
 * — so a Berlin store's March holds 743 hours and a Shanghai store's 744. A credit counts in the
 * period of its own time: a sale on its order's time, a refund's reversal on the refund's time
 * (a March sale refunded in April lowers April). Uncredited sales (`none`) belong to no store and
 * are not in the statement (`explain` shows them). Every store of the chain is listed, with no
 * lines when nothing was credited to it.
 */
export async function creditStatement(
  db: Queryable,
  query: StatementQuery,
): Promise<CreditStatement> {
  // Wide enough for every zone (±14 h); each store's own bounds are applied below.
  const lo = new Date(Date.parse(`${query.from}T00:00:00Z`) - DAY_MS).toISOString();
  const hi = new Date(Date.parse(`${query.to}T00:00:00Z`) + 2 * DAY_MS).toISOString();
  const stores = await db.query<{ id: string; name: string; timezone: string }>(
    'select id, name, timezone from stores order by name, id',
  );
  const rows = await db.query<Row>(
    `select c.store_id, s.name as store_name, s.timezone, c.guide_id, g.name as guide_name,
            c.kind, c.rule, c.amount, c.at
       from online_credits c
       join stores s on s.id = c.store_id
       left join guides g on g.id = c.guide_id
      where c.store_id is not null and c.at >= $1 and c.at < $2`,
    [lo, hi],
  );
  const total = emptyFigures();
  const out: StatementStore[] = stores.map((store) => {
    const start = storeDay(query.from, store.timezone).from;
    const end = storeDay(query.to, store.timezone).to;
    const lines = new Map<string, StatementLine>();
    const storeTotal = emptyFigures();
    for (const row of rows) {
      if (row.store_id !== store.id) continue;
      const at = new Date(row.at).getTime();
      if (at < start.getTime() || at >= end.getTime()) continue;
      const key = row.guide_id ?? '';
      let line = lines.get(key);
      if (!line) {
        line = { guideId: row.guide_id, guideName: row.guide_name, ...emptyFigures() };
        lines.set(key, line);
      }
      add(line, row);
      add(storeTotal, row);
      add(total, row);
    }
    return {
      storeId: store.id,
      storeName: store.name,
      timezone: store.timezone,
      periodStart: start.toISOString(),
      periodEnd: end.toISOString(),
      // Guides by name, the store pool last.
      lines: [...lines.values()].sort((a, b) =>
        a.guideId === null
          ? 1
          : b.guideId === null
            ? -1
            : (a.guideName ?? '').localeCompare(b.guideName ?? '', 'zh-CN') ||
              a.guideId.localeCompare(b.guideId),
      ),
      total: storeTotal,
    };
  });
  return { from: query.from, to: query.to, stores: out, total };
}
