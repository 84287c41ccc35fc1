import type { FeedNameWire, FeedReject } from '../../shared/protocol';
import type { TerminalDb } from './database';

/** A feed row that failed validation: set aside, never applied (issue #12). */
export type SetAsideItem = {
  feed: FeedNameWire;
  /** the row's id when it has a readable one */
  id: string | null;
  /** its place in the feed; null for the staff list */
  seq: string | null;
  /** zod issue paths and messages — never the row's values, which may be personal data */
  reason: string;
};

/** A feed row set aside on this terminal, kept for diagnosis (Dexie table `feedRejects`). */
export type SetAsideRow = SetAsideItem & {
  /** `feed:id` (or `feed:seq:…` for a row without a readable id): a row set aside again replaces its entry */
  key: string;
  /** when this terminal set it aside */
  at: string;
  /** 0 until the hub has been told (numbers, because IndexedDB cannot index booleans) */
  reported: 0 | 1;
};

/** The table stays small: the newest rows are what a support call needs. */
export const SET_ASIDE_KEPT = 200;

const keyOf = (feed: string, id: string | null, seq: string | null, index: number) =>
  id !== null ? `${feed}:${id}` : seq !== null ? `${feed}:seq:${seq}` : `${feed}:#${index}`;

/**
 * Inside the caller's transaction (which applies the page): keeps the rows set aside, and forgets
 * earlier ones whose id has now arrived valid (the hub fixed the row).
 */
export async function recordSetAside(
  db: TerminalDb,
  feed: SetAsideItem['feed'],
  rejects: readonly SetAsideItem[],
  appliedIds: readonly string[],
  now: string,
): Promise<void> {
  if (appliedIds.length > 0) {
    const fixed = appliedIds.map((id) => `${feed}:${id}`);
    // Cheap when nothing is set aside (the usual case): one count, no key lookups.
    if ((await db.feedRejects.count()) > 0) await db.feedRejects.bulkDelete(fixed);
  }
  if (rejects.length === 0) return;
  await db.feedRejects.bulkPut(
    rejects.map((r, i) => ({ ...r, key: keyOf(feed, r.id, r.seq, i), at: now, reported: 0 })),
  );
  const over = (await db.feedRejects.count()) - SET_ASIDE_KEPT;
  if (over > 0)
    await db.feedRejects.bulkDelete(await db.feedRejects.orderBy('at').limit(over).primaryKeys());
}

/** Rows the hub has not been told about yet, oldest first, in wire form. */
export async function unreportedSetAside(
  db: TerminalDb,
  limit: number,
): Promise<{ keys: string[]; rejects: FeedReject[] }> {
  const rows = await db.feedRejects.where('reported').equals(0).limit(limit).toArray();
  return {
    keys: rows.map((r) => r.key),
    rejects: rows.map(({ feed, id, seq, reason, at }) => ({ feed, id, seq, reason, at })),
  };
}

export async function markSetAsideReported(db: TerminalDb, keys: readonly string[]): Promise<void> {
  await db.feedRejects
    .where('key')
    .anyOf([...keys])
    .modify({ reported: 1 });
}

/** Everything set aside, newest first (the sync panel). */
export const setAsideRows = async (db: TerminalDb): Promise<SetAsideRow[]> =>
  (await db.feedRejects.orderBy('at').reverse().toArray()) as SetAsideRow[];

export const setAsideCount = (db: TerminalDb): Promise<number> => db.feedRejects.count();
