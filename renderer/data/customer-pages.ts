import { isTombstone, type CustomerFeedItem, type CustomerTombstone } from '../../shared/protocol';
import { toCachedCustomer, type CachedCustomer } from './customer-rows';
import type { PreparedUpsert } from './customer-store';
import type { CustomerKeyRow, HeldRows } from './customer-upsert';
import type { TerminalDb } from './database';
import { pendingProfileEdits, withPendingEdits } from './profile-edits';

export { StalePrepared } from './customer-upsert';

/**
 * A customer feed page worked out before its transaction opens: its profiles as cache rows with
 * this terminal's pending edits over them, packed and sealed ahead (customer-store.ts), so the
 * page's transaction (customers.ts, `applyCustomerItems`) only writes them.
 */
export type PreparedCustomerItems = {
  readonly items: readonly CustomerFeedItem[];
  readonly customers: readonly CachedCustomer[];
  readonly upsert: PreparedUpsert | null;
  /**
   * The page's profiles are in the page worker, not in `customers`: `upsert` is written as is, or
   * the transaction fails with `StalePrepared` (`prepareWorkerPage`).
   */
  readonly sealed?: true;
};

/** The profiles of a page, as cached (tombstones left out). */
export const profilesOf = (items: readonly CustomerFeedItem[]): CachedCustomer[] =>
  items.flatMap((item) => (isTombstone(item) ? [] : [toCachedCustomer(item)]));

/**
 * Call OUTSIDE any transaction, before the page's transaction opens: packs and seals the page's
 * profiles ahead (customer-store.ts, `prepare`), so `applyCustomerItems` only writes them. Used
 * only if nothing was written meanwhile; otherwise the page is applied as without it.
 */
export async function prepareCustomerItems(
  db: TerminalDb,
  items: readonly CustomerFeedItem[],
): Promise<PreparedCustomerItems> {
  const fromFeed = profilesOf(items);
  // Edits made here and not yet sent stay on top of what the feed brings (profile-edits.ts).
  const edits = fromFeed.length > 0 ? await pendingProfileEdits(db) : [];
  const customers = withPendingEdits(fromFeed, edits);
  return { items, customers, upsert: await db.customerStore.prepare(customers) };
}

/**
 * `prepareCustomerItems` for a page the page worker pulled (its profiles stay there): planned here
 * from their lookup keys, with this terminal's pending edits laid over them in the worker, and
 * sealed there. Null when it cannot be written that way — a tombstone of a cached customer (its
 * removal moves the store's stamp inside the page's transaction) or the store moved meanwhile:
 * the caller then writes the page from its rows (`page.rows.rows()`).
 */
export async function prepareWorkerPage(
  db: TerminalDb,
  page: { keys: readonly CustomerKeyRow[]; tombstones: CustomerTombstone[]; rows: HeldRows },
): Promise<PreparedCustomerItems | null> {
  if (await db.customerStore.holdsAny(page.tombstones.map((t) => t.id))) return null;
  let keys = page.keys;
  if (keys.length === 0)
    return { items: page.tombstones, customers: [], upsert: null, sealed: true };
  const onPage = new Set(keys.map((k) => k.id));
  const edits = (await pendingProfileEdits(db)).filter((e) => onPage.has(e.customerId));
  if (edits.length > 0) keys = await page.rows.withEdits(edits);
  const upsert = await db.customerStore.prepareSealed(keys, page.rows, page.rows.seal);
  return upsert && { items: page.tombstones, customers: [], upsert, sealed: true };
}
