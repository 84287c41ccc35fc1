import type { Table } from 'dexie';
import type {
  ArrivalAlert,
  CustomerFeedId,
  CustomerFeedItem,
  ProductItem,
  StaffMember,
} from '../../shared/protocol';
import { applyProductItems } from './catalog';
import { applyCustomerItems, customerPageTables } from './customers';
import { prepareCustomerItems, type PreparedCustomerItems } from './customer-pages';
import type { FeedName, SyncStateRow, TerminalDb } from './database';
import { recordSetAside, type SetAsideItem } from './feed-rejects';
import { replaceStaff } from './staff';
import { initialSyncState, readSyncState } from './sync-state';

/**
 * Applying what the hub's feeds send: each page's rows, the rows set aside and the feed's cursor
 * in ONE transaction, so a crash or a resend never loses or repeats a page. The sync engine
 * decides what to fetch and when; this module is how it lands in IndexedDB.
 */

export type PagedFeed = 'customers' | 'catalog';

/** A page as the hub client hands it over (sync/hub-client.ts `FeedPage`). */
export type FeedPageRows<T> = {
  items: readonly T[];
  rejects?: readonly SetAsideItem[];
  cursor: string;
  total?: number;
  /** false on the feed's last page (its head); absent where the caller does not know */
  hasMore?: boolean;
  /**
   * Every valid row's id, when `items` holds only some of the page (a page whose profiles the
   * page worker keeps: `items` are its tombstones); else `items`' ids.
   */
  itemIds?: readonly string[];
};

/** A customer page also says which hub feed it is of (`chain` or `store:<id>`). */
export type CustomerPage = {
  feed: 'customers';
  page: FeedPageRows<CustomerFeedItem> & { feed: CustomerFeedId };
};
export type CatalogPage = { feed: 'catalog'; page: FeedPageRows<ProductItem> };

/** What is worked out before a page's transaction opens (customers only; see `applyFeedPage`). */
export type PreparedPage = PreparedCustomerItems | undefined;

/**
 * Loads the customer index a slice at a time (while the first page is on its way): first needed
 * inside a page's transaction, it would be built there in one piece.
 */
export const loadCustomerIndex = (db: TerminalDb): Promise<void> => db.customerStore.ready();

/**
 * Packs and seals a customer page's blocks before its transaction opens (the CPU of sealing stays
 * out of the transaction that holds the page's tables); used only if nothing wrote customers
 * meanwhile (customer-store.ts, `prepare`).
 */
export const prepareFeedPage = async (db: TerminalDb, page: CustomerPage | CatalogPage) =>
  page.feed === 'customers' ? prepareCustomerItems(db, page.page.items) : undefined;

/**
 * What became of a page: written with its cursor, dropped (its starting cursor is no longer ours),
 * or — customers only — it was of another feed than the cache: the cache was reset and the feed
 * starts again from cursor 0 (the page itself was dropped unless it already started at 0).
 */
export type PageOutcome = 'applied' | 'dropped' | 'reset';

/**
 * Writes a page's rows and its cursor in ONE transaction. A page whose starting cursor is no
 * longer ours (a duplicate or late response, another window got there first) is dropped, and a
 * cursor never moves backwards.
 *
 * Feed identity (issue #17): a customer page says which feed it is of, and the cursor is kept with
 * the feed it counts in. A page of another feed (the hub switched `HUB_CUSTOMER_FEED_SCOPE`, an
 * upgrade moved the terminal from the chain feed to its store's, or a cursor from before feed
 * identities) resets the customer cache in the same transaction (`resetCustomerFeed`): afterwards
 * the terminal pulls the new feed from 0, and a page of the new feed never resets it again.
 */
export async function applyFeedPage(
  db: TerminalDb,
  askedAfter: string,
  rows: CustomerPage | CatalogPage,
  prepared: PreparedPage,
  now: string,
): Promise<PageOutcome> {
  if (rows.feed === 'catalog') {
    const { page } = rows;
    const tables = [db.products, db.syncState, db.feedRejects];
    const writeRows = () => applyProductItems(db, page.items);
    const applied = await applyInCursorOrder(
      db,
      'catalog',
      askedAfter,
      page,
      tables,
      writeRows,
      now,
    );
    return applied ? 'applied' : 'dropped';
  }
  const { page } = rows;
  const tables = [...customerPageTables(db), db.feedRejects];
  const writeRows = () => applyCustomerItems(db, page.items, prepared);
  let reset = false;
  const applied = await applyInCursorOrder(
    db,
    'customers',
    askedAfter,
    page,
    tables,
    writeRows,
    now,
    (state) => {
      if (state.feedId === page.feed) return state;
      // Nothing pulled from any feed yet: this is the terminal's feed from now on.
      if (state.feedId === undefined && state.cursor === '0')
        return { ...state, feedId: page.feed };
      reset = true;
      // A page from 0 is the new feed's first page: it applies on top of the emptied cache.
      return resetCustomerFeed(db, state, page.feed).then((fresh) =>
        askedAfter === '0' ? fresh : null,
      );
    },
  );
  return applied ? 'applied' : reset ? 'reset' : 'dropped';
}

/**
 * Inside the caller's transaction (`customerPageTables`): drops every cached customer profile and
 * starts the customer feed again from cursor 0 as feed `feedId`. Kept: everything not yet sent
 * (the outbox — orders, registrations, profile edits, consents — and registrations the hub has not
 * confirmed, `provisionalCustomers`), alert cards, aliases, the audit trail. Edits waiting in the
 * outbox are laid over each profile again as the new feed brings it (`prepareCustomerItems`), as
 * over any page. One transaction: a crash leaves either the old cache with its cursor or the
 * emptied one at 0, never a mix.
 */
export async function resetCustomerFeed(
  db: TerminalDb,
  state: SyncStateRow,
  feedId: CustomerFeedId,
): Promise<SyncStateRow> {
  await db.customerStore.clear();
  const fresh: SyncStateRow = {
    ...initialSyncState('customers'),
    feedId,
    resyncing: true,
    // The terminal has synced before: it is re-filling, not enrolling (the app's start gate).
    lastSuccessAt: state.lastSuccessAt,
  };
  await db.syncState.put(fresh);
  return fresh;
}

/**
 * What every paged feed shares: in ONE transaction over `tables` (which must include
 * `syncState` and `feedRejects`), drop a page whose starting cursor is no longer ours or that
 * would move the cursor backwards; else write its rows (`writeRows`), keep the rows that failed
 * validation for diagnosis — the cursor moves past them with the rest of the page, so one bad row
 * never stops the feed (issue #12) — and advance the cursor. Returns whether the page was applied.
 * `admit` (in the same transaction, after the cursor checks) may answer the state to build on
 * (e.g. after a reset) or null to drop the page.
 */
export async function applyInCursorOrder(
  db: TerminalDb,
  feed: Exclude<FeedName, 'alerts'>,
  askedAfter: string,
  page: FeedPageRows<{ id: string }>,
  tables: Table[],
  writeRows: () => Promise<unknown>,
  now: string,
  admit?: (state: SyncStateRow) => SyncStateRow | null | Promise<SyncStateRow | null>,
): Promise<boolean> {
  const rejects = page.rejects ?? [];
  return db.transaction('rw', tables, async () => {
    const current = await readSyncState(db, feed);
    if (current.cursor !== askedAfter) return false;
    if (BigInt(page.cursor) < BigInt(current.cursor)) return false;
    // Only awaited when it is a promise (IndexedDB work): awaiting one that does none inside a
    // Dexie transaction lets it commit early (see applyCustomerItems).
    // (Dexie's own promises are not `instanceof Promise`: tell them by their `then`.)
    const decided = admit ? admit(current) : current;
    const state = decided !== null && 'then' in decided ? await decided : decided;
    if (!state) return false;
    await writeRows();
    const ids = page.itemIds ?? page.items.map((i) => i.id);
    await recordSetAside(db, feed, rejects, ids, now);
    // A re-fill after a feed reset ends at the feed's head (`resyncing`, resetCustomerFeed).
    const { resyncing, ...kept } = state;
    await db.syncState.put({
      ...kept,
      ...(resyncing && page.hasMore !== false ? { resyncing } : {}),
      cursor: page.cursor,
      rowsDone: state.rowsDone + ids.length + rejects.length,
      totalEstimate: page.total ?? state.totalEstimate,
      lastSuccessAt: now,
      lastError: null,
    });
    return true;
  });
}

/** The staff feed (small, always sent whole): replaces the guides, in one transaction. */
export async function applyStaffFeed(
  db: TerminalDb,
  staff: readonly StaffMember[],
  rejects: readonly SetAsideItem[],
  now: string,
): Promise<void> {
  const tables = [db.staff, db.syncState, db.feedRejects];
  await db.transaction('rw', tables, async () => {
    // A guide whose row was set aside keeps the row this terminal had: their offline sign-in
    // should not end because of a row the hub sent wrong.
    const keep = rejects.flatMap((r) => (r.id === null ? [] : [r.id]));
    await replaceStaff(db, staff, keep);
    await recordSetAside(
      db,
      'staff',
      rejects,
      staff.map((s) => s.id),
      now,
    );
    const state = await readSyncState(db, 'staff');
    await db.syncState.put({
      ...state,
      rowsDone: staff.length,
      lastSuccessAt: now,
      lastError: null,
    });
  });
}

/** After an alert catch-up: the newest alert seen becomes the alerts feed's cursor. */
export async function recordAlertCatchUp(
  db: TerminalDb,
  alerts: readonly Pick<ArrivalAlert, 'at'>[],
  now: string,
): Promise<void> {
  await db.transaction('rw', db.syncState, async () => {
    const state = await readSyncState(db, 'alerts');
    const newest = alerts.reduce((m, a) => (a.at > m ? a.at : m), state.cursor);
    await db.syncState.put({
      ...state,
      cursor: newest,
      rowsDone: state.rowsDone + alerts.length,
      lastSuccessAt: now,
      lastError: null,
    });
  });
}
