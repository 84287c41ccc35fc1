import type { Db } from '../db/database';

/**
 * Which stores' customer feeds a range of customer changes touched, for the store-scoped feed
 * (`HUB_CUSTOMER_FEED_SCOPE=store`): a changed member's scope rows take the member's new number
 * (trigger `customers_scope_changed`, migration 021), so the stores to tell are those with a
 * scope row at a number in the range. Sent chain-wide instead, every customer change cost one
 * socket write per terminal of the chain (docs/benchmarks.md, "what a hub's CPU goes on").
 *
 * Called with the highest cursor of each (coalesced) `customers:changed` hint, this node's own or
 * a peer's (server/realtime/hint-delivery.ts); answers the stores changed since the previous call
 * on this node, starting from the feed's head when the node started, whichever node wrote the
 * changes — the node tells its own sockets only. Numbers are drawn under the change-feed lock in
 * commit order and a head is announced after its commit, so every change up to it is committed
 * and none falls below the previous upper bound.
 */
export async function customerHintStores(db: Db): Promise<(upTo: string) => Promise<string[]>> {
  const [head] = await db.query<{ seq: string }>(
    'select coalesce(max(seq), 0)::text as seq from customers',
  );
  let after = BigInt(head?.seq ?? '0');
  return async (upTo) => {
    const to = BigInt(upTo);
    if (to <= after) return [];
    const from = after;
    after = to;
    try {
      // The range is a few coalesced changes: each changed member's scope rows by her index,
      // never a scan of the scope table. (`offset 0` keeps the lateral a per-member probe; as a
      // plain join, a planner without fresh statistics hashed the whole table: 38 ms a call at
      // 60,000 rows in bench:chain; docs/benchmarks.md, "Issue #17 on a slower machine".)
      const rows = await db.query<{ store_id: string }>(
        `select distinct s.store_id::text as store_id
           from customers c
           cross join lateral (
             select store_id from customer_store_scope
              where customer_id = c.id and seq = c.seq
             offset 0) s
          where c.seq > $1::bigint and c.seq <= $2::bigint`,
        [from.toString(), to.toString()],
      );
      return rows.map((r) => r.store_id);
    } catch (error) {
      // Not routed: let the next call cover this range again (the caller falls back to telling
      // every terminal).
      if (after === to) after = from;
      throw error;
    }
  };
}
