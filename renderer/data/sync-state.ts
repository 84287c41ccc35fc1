import type { FeedName, SyncStateRow, TerminalDb } from './database';

export const initialSyncState = (feed: FeedName): SyncStateRow => ({
  feed,
  cursor: feed === 'alerts' ? '' : '0',
  rowsDone: 0,
  totalEstimate: null,
  lastSuccessAt: null,
  lastError: null,
});

export async function readSyncState(db: TerminalDb, feed: FeedName): Promise<SyncStateRow> {
  return (await db.syncState.get(feed)) ?? initialSyncState(feed);
}

/**
 * Records a feed's last error. Read-modify-write inside one transaction: a plain get-then-put
 * raced with a page being applied and could write an older cursor back (found by the property test).
 */
export async function recordSyncError(
  db: TerminalDb,
  feed: FeedName,
  message: string,
): Promise<void> {
  await db.transaction('rw', db.syncState, async () => {
    const state = await readSyncState(db, feed);
    if (state.lastError !== message) await db.syncState.put({ ...state, lastError: message });
  });
}

export const allSyncStates = (db: TerminalDb) => db.syncState.toArray();

/**
 * True once the first sync got through: the customer feed has completed at least one page and
 * the staff list has been pulled (enrolment's initial-sync screen, the app's start).
 */
export async function hasSynced(db: TerminalDb): Promise<boolean> {
  const [customers, staff] = await Promise.all([
    readSyncState(db, 'customers'),
    readSyncState(db, 'staff'),
  ]);
  return customers.lastSuccessAt !== null && staff.lastSuccessAt !== null;
}
