import type { OutboxEntry, TerminalDb } from '../data/database';
import { pendingEntries, rejectedEntries } from '../data/outbox';
import { setAsideRows, type SetAsideRow } from '../data/feed-rejects';

const SHOWN = 200;

export async function outboxItems(
  db: TerminalDb,
): Promise<{ pending: OutboxEntry[]; rejected: OutboxEntry[]; setAside: SetAsideRow[] }> {
  const [pending, rejected, setAside] = await Promise.all([
    pendingEntries(db, SHOWN),
    rejectedEntries(db),
    setAsideRows(db),
  ]);
  return {
    pending,
    rejected: rejected.sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
    setAside,
  };
}

/**
 * Puts a rejected entry back in the queue (after the cause was fixed at the hub: a product
 * re-activated, a guide re-enabled). Same id, so the hub still deduplicates it.
 */
export async function retryRejected(db: TerminalDb, id: string): Promise<void> {
  await db.transaction('rw', db.outbox, async () => {
    const entry = await db.outbox.get(id);
    if (entry?.status !== 'rejected') return;
    await db.outbox.put({ ...entry, status: 'pending', reason: null });
  });
}
