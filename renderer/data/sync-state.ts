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

export async function recordSyncError(
  db: TerminalDb,
  feed: FeedName,
  message: string,
): Promise<void> {
  const state = await readSyncState(db, feed);
  await db.syncState.put({ ...state, lastError: message });
}

export const allSyncStates = (db: TerminalDb) => db.syncState.toArray();
