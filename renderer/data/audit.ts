import type { AuditEntryWire } from '../../shared/protocol';
import type { TerminalDb } from './database';

/** Profile views not yet kept by the hub, oldest first, in wire form. */
export async function unsyncedAuditBatch(db: TerminalDb, limit: number): Promise<AuditEntryWire[]> {
  const rows = await db.audit.where('synced').equals(0).limit(limit).toArray();
  return rows.map(({ id, action, guideId, customerId, at }) => ({
    id,
    action,
    guideId,
    customerId,
    at,
  }));
}

/** The hub answered for these entries (kept, already kept, or refused with a reason). */
export async function markAuditSynced(db: TerminalDb, ids: readonly string[]): Promise<void> {
  await db.audit
    .where('id')
    .anyOf([...ids])
    .modify({ synced: 1 });
}
