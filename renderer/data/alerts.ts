import type { AlertStatus, AlertUpdate, ArrivalAlert } from '../../shared/protocol';
import { openAlert, openAlerts as openAlertRows, sealAlert } from './alert-rows';
import type { StoredAlert, TerminalDb } from './database';
import { keepAlive } from './sealed';

/** Status only moves forward: a late or duplicated message never reopens an alert. */
const STATUS_RANK: Record<AlertStatus, number> = { open: 0, claimed: 1, expired: 2, converted: 3 };

export type AlertWrite =
  | { kind: 'new'; alert: StoredAlert }
  | { kind: 'updated'; alert: StoredAlert }
  | { kind: 'unchanged' };

function advance(
  current: StoredAlert,
  next: Omit<AlertUpdate, 'orderId' | 'storeId'>,
): StoredAlert | null {
  if (STATUS_RANK[next.status] < STATUS_RANK[current.status]) return null;
  if (
    next.status === current.status &&
    next.claimedAt === current.claimedAt &&
    next.convertedAt === current.convertedAt &&
    (next.claimedBy?.guideId ?? null) === (current.claimedBy?.guideId ?? null)
  )
    return null;
  return {
    ...current,
    status: next.status,
    claimedBy: next.claimedBy ?? current.claimedBy,
    claimedAt: next.claimedAt ?? current.claimedAt,
    convertedAt: next.convertedAt ?? current.convertedAt,
  };
}

/**
 * Stores an alert (live or catch-up) before anyone is told about it. The alert id deduplicates:
 * a second delivery only advances the status, so a guide never sees the same customer twice.
 */
export async function storeAlert(
  db: TerminalDb,
  alert: ArrivalAlert,
  now: Date = new Date(),
): Promise<AlertWrite> {
  // Sealed before the transaction (a new alert is the common case); opening the current copy and
  // sealing an advanced one inside it keep it alive meanwhile (sealed.ts, Dexie.waitFor).
  const stored: StoredAlert = { ...alert, receivedAt: now.toISOString() };
  const sealedNew = await sealAlert(db.sealer, stored);
  return db.transaction('rw', db.alerts, async () => {
    const row = await db.alerts.get(alert.alertId);
    if (!row) {
      await db.alerts.add(sealedNew);
      return { kind: 'new', alert: stored };
    }
    const next = advance(await keepAlive(openAlert(db.sealer, row)), alert);
    if (!next) return { kind: 'unchanged' };
    await db.alerts.put(await keepAlive(sealAlert(db.sealer, next)));
    return { kind: 'updated', alert: next };
  });
}

/** Applies `alert:updated`; an update for an alert not cached yet waits for catch-up. */
export async function applyAlertUpdate(db: TerminalDb, update: AlertUpdate): Promise<AlertWrite> {
  return db.transaction('rw', db.alerts, async () => {
    const row = await db.alerts.get(update.alertId);
    if (!row) return { kind: 'unchanged' };
    const next = advance(await keepAlive(openAlert(db.sealer, row)), update);
    if (!next) return { kind: 'unchanged' };
    await db.alerts.put(await keepAlive(sealAlert(db.sealer, next)));
    return { kind: 'updated', alert: next };
  });
}

/** Open alerts, newest first, that have not expired at `now`. */
export async function openAlerts(db: TerminalDb, now: Date = new Date()): Promise<StoredAlert[]> {
  const open = await openAlertRows(
    db.sealer,
    await db.alerts.where('status').equals('open').toArray(),
  );
  return open
    .filter((a) => Date.parse(a.expiresAt) > now.getTime())
    .sort((a, b) => b.at.localeCompare(a.at));
}

export async function markVisitSeen(
  db: TerminalDb,
  alert: Pick<ArrivalAlert, 'alertId' | 'visitId'>,
  guideId: string | null,
  now: Date = new Date(),
): Promise<void> {
  await db.visitsSeen.put({
    visitId: alert.visitId,
    alertId: alert.alertId,
    guideId,
    seenAt: now.toISOString(),
  });
}

export const alertCount = (db: TerminalDb) => db.alerts.count();

/** One cached alert, opened (undefined when not cached). */
export async function alertById(db: TerminalDb, alertId: string): Promise<StoredAlert | undefined> {
  const row = await db.alerts.get(alertId);
  return row && keepAlive(openAlert(db.sealer, row));
}
