import type { Table } from 'dexie';
import type {
  ArrivalAlert,
  CustomerFeedItem,
  ProductItem,
  StaffMember,
} from '../../shared/protocol';
import { applyProductItems } from './catalog';
import {
  applyCustomerItems,
  customerPageTables,
  prepareCustomerItems,
  type PreparedCustomerItems,
} from './customers';
import type { FeedName, TerminalDb } from './database';
import { recordSetAside, type SetAsideItem } from './feed-rejects';
import { replaceStaff } from './staff';
import { readSyncState } from './sync-state';

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
};

export type CustomerPage = { feed: 'customers'; page: FeedPageRows<CustomerFeedItem> };
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
 * Writes a page's rows and its cursor in ONE transaction. A page whose starting cursor is no
 * longer ours (a duplicate or late response, another window got there first) is dropped, and a
 * cursor never moves backwards. Returns whether the page was applied.
 */
export async function applyFeedPage(
  db: TerminalDb,
  askedAfter: string,
  { feed, page }: CustomerPage | CatalogPage,
  prepared: PreparedPage,
  now: string,
): Promise<boolean> {
  const tables = [
    ...(feed === 'customers' ? customerPageTables(db) : [db.products, db.syncState]),
    db.feedRejects,
  ];
  const writeRows = () =>
    feed === 'customers'
      ? applyCustomerItems(db, page.items, prepared)
      : applyProductItems(db, page.items);
  return applyInCursorOrder(db, feed, askedAfter, page, tables, writeRows, now);
}

/**
 * What every paged feed shares: in ONE transaction over `tables` (which must include
 * `syncState` and `feedRejects`), drop a page whose starting cursor is no longer ours or that
 * would move the cursor backwards; else write its rows (`writeRows`), keep the rows that failed
 * validation for diagnosis — the cursor moves past them with the rest of the page, so one bad row
 * never stops the feed (issue #12) — and advance the cursor. Returns whether the page was applied.
 */
export async function applyInCursorOrder(
  db: TerminalDb,
  feed: Exclude<FeedName, 'alerts'>,
  askedAfter: string,
  page: FeedPageRows<{ id: string }>,
  tables: Table[],
  writeRows: () => Promise<unknown>,
  now: string,
): Promise<boolean> {
  const rejects = page.rejects ?? [];
  return db.transaction('rw', tables, async () => {
    const state = await readSyncState(db, feed);
    if (state.cursor !== askedAfter) return false;
    if (BigInt(page.cursor) < BigInt(state.cursor)) return false;
    await writeRows();
    await recordSetAside(
      db,
      feed,
      rejects,
      page.items.map((i) => i.id),
      now,
    );
    await db.syncState.put({
      ...state,
      cursor: page.cursor,
      rowsDone: state.rowsDone + page.items.length + rejects.length,
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
