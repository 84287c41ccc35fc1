import { ratio } from '../../shared/domain/kpi';
import { MAX_COUNT, MAX_SPEND_FEN, saturatingAdd } from '../../shared/domain/limits';
import type { AfterSaleStats } from '../../shared/protocol';
import type { Queryable } from '../db/database';

/** What came back in a day (or a day per guide), before the ratios. */
export type ReturnCounts = { returns: number; returnedUnits: number; refunds: number };
export const emptyReturns = (): ReturnCounts => ({ returns: 0, returnedUnits: 0, refunds: 0 });

export function addReturns(a: ReturnCounts, b: ReturnCounts): ReturnCounts {
  return {
    returns: saturatingAdd(a.returns, b.returns, MAX_COUNT),
    returnedUnits: saturatingAdd(a.returnedUnits, b.returnedUnits, MAX_COUNT),
    refunds: saturatingAdd(a.refunds, b.refunds, MAX_SPEND_FEN),
  };
}

/** The after-sale figures against the same period's revenue (see `afterSaleStats`). */
export function afterSaleFigures(revenue: number, c: ReturnCounts): AfterSaleStats {
  return { ...c, netRevenue: revenue - c.refunds, returnsRate: ratio(c.refunds, revenue) };
}

type Row = { d: number; guide_id: string; returns: number; units: number; refunds: string };

/**
 * Returns of `storeId` per requested day (`$2`: the same hour buckets as the other figures) and
 * seller, by the return's time: one query for every day.
 */
export async function returnsByDayAndSeller(
  db: Queryable,
  storeId: string,
  buckets: string,
  days: number,
): Promise<{ byDay: ReturnCounts[]; bySeller: Map<string, ReturnCounts>[] }> {
  const byDay = Array.from({ length: days }, emptyReturns);
  const bySeller = Array.from({ length: days }, () => new Map<string, ReturnCounts>());
  const rows = await db.query<Row>(
    `with h as (
       select d, min(s) as s, max(e) as e
         from jsonb_to_recordset($2::jsonb) as h(d int, i int, s timestamptz, e timestamptz)
        group by d)
     select h.d, r.seller_id::text as guide_id, count(*)::int as returns,
            least(sum(r.units), ${MAX_COUNT})::int as units,
            least(sum(r.amount), ${MAX_SPEND_FEN})::text as refunds
       from h join order_returns r on r.store_id = $1 and r.created_at >= h.s and r.created_at < h.e
      group by h.d, r.seller_id`,
    [storeId, buckets],
  );
  for (const row of rows) {
    const c = { returns: row.returns, returnedUnits: row.units, refunds: Number(row.refunds) };
    byDay[row.d] = addReturns(byDay[row.d]!, c);
    bySeller[row.d]!.set(row.guide_id, c);
  }
  return { byDay, bySeller };
}
