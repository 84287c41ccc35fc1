import type { TerminalDb } from './database';

/**
 * How long the terminal keeps what the hub already has, in days. A store PC is shared and can be
 * stolen, so it keeps only what the counter needs (DOMAIN.md): arrival cards (names, sizes, the
 * online trail) are about a visit of minutes, the orders and profile views are head office's once
 * synced. Nothing the hub does not have yet is ever removed: pending and rejected outbox entries
 * and unsynced profile views stay however old they are.
 */
export type Retention = { alertsDays: number; syncedDays: number };

export const DEFAULT_RETENTION: Retention = {
  /** arrival alerts and the visits seen with them: a week, for "who came in lately" */
  alertsDays: 7,
  /** orders and registrations the hub accepted, and profile views it keeps: a month */
  syncedDays: 30,
};

export type Pruned = { alerts: number; visitsSeen: number; outbox: number; audit: number };

/** Removes what is older than the retention and safe at the hub; returns how many rows went. */
export async function pruneLocal(
  db: TerminalDb,
  now: Date,
  retention: Retention = DEFAULT_RETENTION,
): Promise<Pruned> {
  const before = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();
  const alertsBefore = before(retention.alertsDays);
  const syncedBefore = before(retention.syncedDays);
  return db.transaction('rw', [db.alerts, db.visitsSeen, db.outbox, db.audit], async () => {
    // An alert that old is long over (a visit's window is minutes); `at` is indexed.
    const alerts = await db.alerts.where('at').below(alertsBefore).delete();
    const visitsSeen = await db.visitsSeen.filter((v) => v.seenAt < alertsBefore).delete();
    // A discarded entry's record is its audit entry (kept by the hub once sent).
    const outbox = await db.outbox
      .where('status')
      .anyOf(['synced', 'discarded'])
      .filter((e) => e.createdAt < syncedBefore)
      .delete();
    const audit = await db.audit
      .where('synced')
      .equals(1)
      .filter((a) => a.at < syncedBefore)
      .delete();
    return { alerts, visitsSeen, outbox, audit };
  });
}
