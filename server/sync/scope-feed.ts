import type { Queryable } from '../db/database';
import { assembleFeedPage, type CustomerFeedBytes } from './feed-json';

/**
 * One store's customer feed (`HUB_CUSTOMER_FEED_SCOPE=store`; docs/scaling.md, "Store-scoped
 * caches"): the members in the store's scope changed after `after`, by the scope row's `seq`, as
 * the JSON array the feed sends. A member in scope is sent as the chain-wide feed would send them
 * (the stored feed JSON when current, else mapped live; erased or merged: the customer's own
 * tombstone). A member who left the scope is sent once as a tombstone marked `outOfScope`: the
 * terminal drops the cached profile and keeps everything else (alerts, orders, the trail).
 *
 * The cursor keeps the chain feed's guarantees: scope rows take their numbers from `change_seq`
 * under the change-feed lock (entering, leaving) or the customer's own new number (a change), so a
 * row never commits behind a cursor a reader has passed, and a row moved on is sent again later.
 */
export async function storeCustomerFeedPage(
  db: Queryable,
  storeId: string,
  { after, limit }: { after: string; limit: number },
): Promise<CustomerFeedBytes> {
  const rows = await db.query<{
    id: string;
    seq: string;
    active: boolean;
    gone: boolean;
    json: string | null;
  }>(
    // The page's scope rows are picked first and only they are joined: planned as one join, a
    // wrong row estimate (statistics missing, scope-runner.ts) joined every remaining scope row of
    // the store and sorted them, per page.
    `select s.customer_id::text as id, s.seq::text as seq, s.active,
            (c.deleted or c.merged_into is not null) as gone,
            case when c.feed_json_seq = c.seq then c.feed_json end as json
       from (select customer_id, seq, active from customer_store_scope
              where store_id = $1 and seq > $2::bigint
              order by seq limit $3) s
       join customers c on c.id = s.customer_id
      order by s.seq`,
    [storeId, after, limit + 1],
  );
  const outOfScope = (r: (typeof rows)[number]) =>
    r.active || r.gone
      ? null
      : JSON.stringify({ id: r.id, seq: r.seq, deleted: true, mergedInto: null, outOfScope: true });
  return assembleFeedPage(db, rows, { after, limit }, outOfScope);
}
