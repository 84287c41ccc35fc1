import { changeFeedTransaction, type Db, type Queryable } from '../db/database';

/**
 * Store-scoped customer caches (issue #17 item 1; docs/scaling.md, "Store-scoped caches").
 * Triggers (migration 021) record each member's reasons for a store in the transaction that made
 * the fact, with the row's feed number left open; this module numbers them, expires "online
 * nearby" (migration 022) and applies the cap.
 */

/** Reasons a member is in a store's scope, as the `reasons` bit set stores them. */
export const SCOPE_REASON = {
  home: 1,
  purchase: 2,
  alert: 4,
  visit: 8,
  lookup: 16,
  catchment: 32,
  /** active online near the store (an online event's place), until `online_until` (022) */
  onlineNearby: 64,
} as const;

/**
 * What a settle round did: the highest feed number drawn (null: none), the stores touched, and
 * whether more rows wait (a round numbers at most `batch`, so the change-feed lock is held briefly
 * even after a CRM import of a million members).
 */
export type ScopeSettlement = { cursor: string | null; stores: string[]; more: boolean };

/**
 * Gives every member waiting to enter a scope its feed number, under the change-feed lock (so
 * sequence order is commit order for the store's feed), then evicts past `cap` in each touched
 * store (and any store over it, e.g. after the migration's backfill or a lowered cap): the
 * lowest-ranked active members leave with a new number, which the feed sends as a tombstone.
 * First, "online nearby" whose time has passed comes off (`expireOnlineNearby`): a member left
 * with no reason leaves the same way.
 *
 * Incremental: it reads the waiting rows (a partial index, migration 023), the rows whose online
 * time passed (another partial index) and, per touched store, the rank index from its low end; a
 * store's size is a counter, never a count. Rows written by transactions not yet committed are
 * picked up by the next round (their writer calls this after its commit, and the periodic round
 * catches the rest).
 */
export async function settleStoreScopes(
  db: Db,
  cap: number,
  batch = 5_000,
): Promise<ScopeSettlement> {
  // Index probes outside any transaction: the common answer (nothing to do) costs no lock. Only
  // active rows wait for a number: one that left before it got one (erased, merged away, online
  // time over) stays unnumbered for good and must not make every round take the lock (023).
  const pending = await db.query(
    `select 1 from (select 1 from customer_store_scope
                     where seq is null and active limit 1) waiting
     union all
     select 1 from (select 1 from customer_store_scope
                     where online_until is not null and online_until <= now() limit 1) due
     limit 1`,
  );
  if (pending.length === 0 && (await storesOverCap(db, cap)).length === 0)
    return { cursor: null, stores: [], more: false };
  return changeFeedTransaction(db, async (tx) => {
    const expired = await expireOnlineNearby(tx, batch);
    // A member erased or merged away while waiting never enters (the trigger on `customers` already
    // marked such rows inactive; this covers a row entered after it in the same transaction).
    await tx.query(
      `update customer_store_scope s set active = false
         from customers c
        where s.seq is null and s.active and c.id = s.customer_id
          and (c.deleted or c.merged_into is not null)`,
    );
    const entered = await tx.query<{ store_id: string; seq: string }>(
      `with next as (
         select store_id, customer_id from customer_store_scope
          where seq is null and active order by store_id, entered_at, customer_id
          limit $1 for update)
       update customer_store_scope s set seq = nextval('change_seq')
         from next where s.store_id = next.store_id and s.customer_id = next.customer_id
       returning s.store_id::text as store_id, s.seq::text as seq`,
      [batch],
    );
    const counts = new Map<string, number>();
    for (const row of entered) counts.set(row.store_id, (counts.get(row.store_id) ?? 0) + 1);
    for (const row of expired.left) counts.set(row.store_id, counts.get(row.store_id) ?? 0);
    if (counts.size > 0)
      await tx.query(
        `insert into customer_scope_sizes(store_id, active)
         select x.store_id, x.n from unnest($1::uuid[], $2::int[]) as x(store_id, n)
         on conflict (store_id) do update
           set active = customer_scope_sizes.active + excluded.active`,
        [[...counts.keys()], [...counts.values()]],
      );
    let cursor = maxSeq([...entered, ...expired.left].map((r) => r.seq));
    for (const { store_id: storeId, active } of await storesOverCap(tx, cap)) {
      const evicted = await tx.query<{ seq: string }>(
        `with out as (
           select customer_id from customer_store_scope
            where store_id = $1 and active and seq is not null
            order by score, last_at, customer_id limit $2 for update)
         update customer_store_scope s set active = false, seq = nextval('change_seq')
           from out where s.store_id = $1 and s.customer_id = out.customer_id
         returning s.seq::text as seq`,
        [storeId, active - cap],
      );
      await tx.query('update customer_scope_sizes set active = active - $2 where store_id = $1', [
        storeId,
        evicted.length,
      ]);
      cursor = maxSeq([...(cursor ? [cursor] : []), ...evicted.map((r) => r.seq)]);
      counts.set(storeId, counts.get(storeId) ?? 0);
    }
    return {
      cursor,
      stores: [...counts.keys()],
      more: entered.length === batch || expired.rows === batch,
    };
  });
}

/**
 * Inside `settleStoreScopes`' transaction (the change-feed lock held): takes "online nearby" off
 * up to `batch` rows whose `online_until` has passed (read through its partial index, oldest
 * first). A member in the store's scope for no other reason leaves it with a new `seq` (the
 * feed's out-of-scope tombstone) and the store's size goes down; one still waiting for a number
 * simply never enters; one kept by another reason only ranks lower.
 */
async function expireOnlineNearby(
  tx: Queryable,
  batch: number,
): Promise<{ rows: number; left: { store_id: string; seq: string }[] }> {
  const online = SCOPE_REASON.onlineNearby;
  const rows = await tx.query<{ store_id: string; seq: string | null; leaving: boolean }>(
    `with due as (
       select store_id, customer_id, (active and seq is not null) as sent
         from customer_store_scope
        where online_until is not null and online_until <= now()
        order by online_until limit $1 for update),
     changed as (
       update customer_store_scope s
          set reasons = s.reasons & ~${online},
              score = scope_score(s.reasons & ~${online}),
              online_until = null,
              active = s.active and s.reasons & ~${online} <> 0,
              seq = case when due.sent and s.reasons & ~${online} = 0
                         then nextval('change_seq') else s.seq end
         from due where s.store_id = due.store_id and s.customer_id = due.customer_id
       returning s.store_id, s.seq, due.sent and s.reasons = 0 as leaving)
     select store_id::text as store_id, seq::text as seq, leaving from changed`,
    [batch],
  );
  const left = rows.flatMap((r) =>
    r.leaving && r.seq !== null ? [{ store_id: r.store_id, seq: r.seq }] : [],
  );
  const byStore = new Map<string, number>();
  for (const row of left) byStore.set(row.store_id, (byStore.get(row.store_id) ?? 0) + 1);
  if (byStore.size > 0)
    await tx.query(
      `update customer_scope_sizes z set active = z.active - x.n
         from unnest($1::uuid[], $2::int[]) as x(store_id, n) where z.store_id = x.store_id`,
      [[...byStore.keys()], [...byStore.values()]],
    );
  return { rows: rows.length, left };
}

async function storesOverCap(
  db: Queryable,
  cap: number,
): Promise<{ store_id: string; active: number }[]> {
  return db.query<{ store_id: string; active: number }>(
    'select store_id::text as store_id, active from customer_scope_sizes where active > $1',
    [cap],
  );
}

const maxSeq = (seqs: readonly string[]): string | null =>
  seqs.length === 0 ? null : seqs.reduce((a, b) => (BigInt(a) >= BigInt(b) ? a : b));

/**
 * Brings members into a store's scope for a reason the hub saw itself (an online lookup at the
 * store), in the caller's transaction; `settleStoreScopes` after commit numbers them.
 */
export async function enterStoreScope(
  tx: Queryable,
  storeId: string,
  customerIds: readonly string[],
  reason: number,
): Promise<void> {
  if (customerIds.length === 0) return;
  await tx.query('select scope_enter($1::uuid, x, $3::int) from unnest($2::uuid[]) as x', [
    storeId,
    customerIds,
    reason,
  ]);
}

/** Members in a store's scope changed after `after` (the feed's `total` for a progress bar). */
export async function scopeRowsAfter(db: Queryable, storeId: string, after: string) {
  const rows = await db.query<{ n: number }>(
    'select count(*)::int as n from customer_store_scope where store_id = $1 and seq > $2::bigint',
    [storeId, after],
  );
  return rows[0]?.n ?? 0;
}
