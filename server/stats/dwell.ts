import type { DwellStats } from '../../shared/protocol';
import type { Queryable } from '../db/database';

/**
 * Median time in store of the recognised visits that began in `[from, to)` (#16 item 6): last
 * sighting − first sighting, split by whether the visit converted. One query; the median is the
 * database's (`percentile_cont`), so a long tail of forgotten phones does not drag it.
 */
export async function dwellFor(
  db: Queryable,
  storeId: string,
  from: Date,
  to: Date,
): Promise<DwellStats> {
  const rows = await db.query<{ converted: boolean; n: number; median_s: number | string | null }>(
    `select v.converted_at is not null as converted, count(*)::int as n,
            percentile_cont(0.5) within group (
              order by extract(epoch from (v.last_seen_at - v.started_at))) as median_s
       from visits v
      where v.store_id = $1 and v.customer_id is not null
        and v.started_at >= $2 and v.started_at < $3
      group by 1`,
    [storeId, from.toISOString(), to.toISOString()],
  );
  const group = (converted: boolean) => {
    const row = rows.find((r) => r.converted === converted);
    if (!row) return { visits: 0, medianMinutes: null };
    const minutes = Number(row.median_s ?? 0) / 60;
    return { visits: row.n, medianMinutes: Math.round(minutes * 10) / 10 };
  };
  return { converted: group(true), notConverted: group(false) };
}
