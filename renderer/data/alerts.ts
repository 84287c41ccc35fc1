import type { AlertStatus, AlertUpdate, ArrivalAlert } from '../../shared/protocol';
import { openAlert, openAlerts, sealAlert } from './alert-rows';
import type { StoredAlert, TerminalDb } from './database';

export type { StoredAlert };
import { keepAlive } from './sealed';

/** Status only moves forward: a late or duplicated message never reopens an alert. */
const STATUS_RANK: Record<AlertStatus, number> = { open: 0, claimed: 1, expired: 2, converted: 3 };

export type AlertWrite =
  | { kind: 'new'; alert: StoredAlert }
  | { kind: 'updated'; alert: StoredAlert }
  | { kind: 'unchanged' }
  /** an update for an alert this terminal does not hold (its arrival never reached it) */
  | { kind: 'missing' };

function advance(
  current: StoredAlert,
  next: Omit<AlertUpdate, 'orderId' | 'storeId'>,
): StoredAlert | null {
  if (STATUS_RANK[next.status] < STATUS_RANK[current.status]) return null;
  // The latest sighting only moves forward too (time in store, #16 item 6).
  const lastSeenAt =
    next.lastSeenAt !== undefined &&
    (current.lastSeenAt === undefined ||
      Date.parse(next.lastSeenAt) > Date.parse(current.lastSeenAt))
      ? next.lastSeenAt
      : current.lastSeenAt;
  if (
    next.status === current.status &&
    next.claimedAt === current.claimedAt &&
    next.convertedAt === current.convertedAt &&
    (next.claimedBy?.guideId ?? null) === (current.claimedBy?.guideId ?? null) &&
    lastSeenAt === current.lastSeenAt
  )
    return null;
  return {
    ...current,
    status: next.status,
    claimedBy: next.claimedBy ?? current.claimedBy,
    claimedAt: next.claimedAt ?? current.claimedAt,
    convertedAt: next.convertedAt ?? current.convertedAt,
    ...(lastSeenAt === undefined ? {} : { lastSeenAt }),
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

/**
 * Applies `alert:updated`. An update for an alert not cached yet is not stored (it holds no card):
 * `missing`, and the live channel catches up on alerts (live-events.ts).
 */
export async function applyAlertUpdate(db: TerminalDb, update: AlertUpdate): Promise<AlertWrite> {
  return db.transaction('rw', db.alerts, async () => {
    const row = await db.alerts.get(update.alertId);
    if (!row) return { kind: 'missing' };
    const next = advance(await keepAlive(openAlert(db.sealer, row)), update);
    if (!next) return { kind: 'unchanged' };
    await db.alerts.put(await keepAlive(sealAlert(db.sealer, next)));
    return { kind: 'updated', alert: next };
  });
}

/** How far back the arrivals list reaches: today's visitors stay visible, offline too. */
export const ARRIVALS_WINDOW_HOURS = 12;
const ARRIVALS_LIMIT = 100;

/** This store's recent arrivals from the local DB, newest first. */
export async function recentArrivals(db: TerminalDb, now: Date): Promise<StoredAlert[]> {
  const since = new Date(now.getTime() - ARRIVALS_WINDOW_HOURS * 3_600_000).toISOString();
  const rows = await openAlerts(
    db.sealer,
    await db.alerts.where('at').aboveOrEqual(since).reverse().limit(ARRIVALS_LIMIT).toArray(),
  );
  return rows.sort((a, b) => b.at.localeCompare(a.at));
}

/**
 * `recentArrivals` with one alert just stored (new or updated) folded in, without reading the
 * database again: the same window, limit and order, the stored copy replacing any older one.
 */
export function withArrival(
  rows: readonly StoredAlert[],
  alert: StoredAlert,
  now: Date,
): StoredAlert[] {
  const since = new Date(now.getTime() - ARRIVALS_WINDOW_HOURS * 3_600_000).toISOString();
  return [...rows.filter((a) => a.alertId !== alert.alertId), alert]
    .filter((a) => a.at >= since)
    .sort((a, b) => b.at.localeCompare(a.at))
    .slice(0, ARRIVALS_LIMIT);
}

/** The newest arrival nobody has claimed yet and that has not expired (F4). */
export async function newestOpenArrival(db: TerminalDb, now: Date): Promise<StoredAlert | null> {
  const rows = await recentArrivals(db, now);
  return rows.find((a) => a.status === 'open' && Date.parse(a.expiresAt) > now.getTime()) ?? null;
}

/**
 * The arrival alert a sale to this customer most likely came from: the newest alert for them on
 * this terminal within the visit window, not yet turned into an order. Crediting it is what makes
 * O2O benefit sharing work, so an order started from the 360 or a lookup still carries it. (The
 * card's customer id is kept in clear for this, alert-rows.ts.)
 */
export async function recentAlertFor(
  db: TerminalDb,
  customerId: string,
  now: Date,
  windowMinutes: number,
): Promise<string | null> {
  const since = new Date(now.getTime() - windowMinutes * 60_000).toISOString();
  const alerts = await db.alerts
    .where('at')
    .aboveOrEqual(since)
    .filter((a) => a.card.customerId === customerId && a.status !== 'converted')
    .toArray();
  alerts.sort((a, b) => b.at.localeCompare(a.at));
  return alerts[0]?.alertId ?? null;
}
