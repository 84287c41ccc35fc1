import { newId } from '../../shared/domain/ids';
import type { AuditAction, AuditDetail, AuditEntryWire } from '../../shared/protocol';
import type { TerminalDb } from './database';

/**
 * Records an action head office audits (a lookup by full phone number, a CSV export; profile
 * views record themselves in `openCustomerProfile`), to go to the hub with the next drain.
 */
export async function recordAudit(
  db: TerminalDb,
  entry: {
    action: AuditAction;
    guideId: string | null;
    customerId: string | null;
    at: Date;
    detail?: AuditDetail;
  },
): Promise<void> {
  await db.audit.add({
    id: newId(),
    action: entry.action,
    guideId: entry.guideId,
    customerId: entry.customerId,
    at: entry.at.toISOString(),
    synced: 0,
    ...(entry.detail ? { detail: entry.detail } : {}),
  });
}

/** Audit entries not yet kept by the hub, oldest first, in wire form. */
export async function unsyncedAuditBatch(db: TerminalDb, limit: number): Promise<AuditEntryWire[]> {
  const rows = await db.audit.where('synced').equals(0).limit(limit).toArray();
  return rows.map(({ id, action, guideId, customerId, at, detail }) => ({
    id,
    action,
    guideId,
    customerId,
    at,
    ...(detail ? { detail } : {}),
  }));
}

/** The hub answered for these entries (kept, already kept, or refused with a reason). */
export async function markAuditSynced(db: TerminalDb, ids: readonly string[]): Promise<void> {
  await db.audit
    .where('id')
    .anyOf([...ids])
    .modify({ synced: 1 });
}
