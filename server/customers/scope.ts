import type { Db, Queryable } from '../db/database';

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
 * even after a CRM import of a million members). `quiet`: the touched stores whose only news is
 * members who walked in — each arrival's `alert:new` carried her profile already (migration 030),
 * so nobody there needs to pull.
 */
export type ScopeSettlement = {
  cursor: string | null;
  stores: string[];
  quiet: string[];
  more: boolean;
};

/**
 * Gives every member waiting to enter a scope its feed number, under the change-feed lock (so
 * sequence order is commit order for the store's feed), then evicts past `cap` in each touched
 * store (and any store over it, e.g. after the migration's backfill or a lowered cap): the
 * lowest-ranked active members leave with a new number, which the feed sends as a tombstone.
 * First, "online nearby" whose time has passed comes off: a member left with no reason leaves the
 * same way (a member still waiting simply never enters; one kept by another reason only ranks
 * lower). The work is one statement, `settle_store_scopes` (migration 026).
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
    return { cursor: null, stores: [], quiet: [], more: false };
  // One autocommit statement (migration 026): the change-feed lock is held only while PostgreSQL
  // runs it, never across a round trip to this process (a busy hub answered those late and every
  // writer of the feed queued behind the lock).
  const [row] = await db.query<{
    cursor: string | null;
    stores: string[];
    quiet: string[];
    more: boolean;
  }>(
    `select cursor::text as cursor, stores::text[] as stores, quiet::text[] as quiet, more
       from settle_store_scopes($1::int, $2::int)`,
    [cap, batch],
  );
  return {
    cursor: row?.cursor ?? null,
    stores: row?.stores ?? [],
    quiet: row?.quiet ?? [],
    more: row?.more ?? false,
  };
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
