import type { ClaimAck } from '../../shared/protocol';
import type { StoredAlert, TerminalDb } from '../data/database';
import { applyAlertUpdate } from '../data/alerts';
import { openAlerts } from '../data/alert-rows';
import type { SyncEngine } from '../sync/sync-engine';

/** How far back the arrivals list reaches: today's visitors stay visible, offline too. */
export const ARRIVALS_WINDOW_HOURS = 12;
const LIMIT = 100;

/** This store's recent arrivals from the local DB, newest first. */
export async function recentArrivals(db: TerminalDb, now: Date): Promise<StoredAlert[]> {
  const since = new Date(now.getTime() - ARRIVALS_WINDOW_HOURS * 3_600_000).toISOString();
  const rows = await openAlerts(
    db.sealer,
    await db.alerts.where('at').aboveOrEqual(since).reverse().limit(LIMIT).toArray(),
  );
  return rows.sort((a, b) => b.at.localeCompare(a.at));
}

/** The newest arrival nobody has claimed yet and that has not expired (F4). */
export async function newestOpenArrival(db: TerminalDb, now: Date): Promise<StoredAlert | null> {
  const rows = await recentArrivals(db, now);
  return rows.find((a) => a.status === 'open' && Date.parse(a.expiresAt) > now.getTime()) ?? null;
}

export type ClaimOutcome =
  | { kind: 'won' }
  | { kind: 'lost'; by: string | null }
  | { kind: 'offline' }
  | { kind: 'failed'; message: string };

/**
 * Claims over the live channel (the hub decides: first claim wins). The answer is written to the
 * local DB at once, so the card changes without waiting for the broadcast.
 */
export async function claimArrival(
  db: TerminalDb,
  engine: SyncEngine,
  alert: StoredAlert,
  guide: { id: string; name: string },
  now: Date,
): Promise<ClaimOutcome> {
  const result = await engine.claimAlert(alert.alertId, guide.id);
  if (!result.ok)
    return result.error.code === 'network'
      ? { kind: 'offline' }
      : { kind: 'failed', message: result.error.message };
  const ack: ClaimAck = result.value;
  const base = { alertId: alert.alertId, storeId: alert.storeId, convertedAt: null, orderId: null };
  if (ack.ok) {
    await applyAlertUpdate(db, {
      ...base,
      status: 'claimed',
      claimedBy: { guideId: guide.id, name: guide.name },
      claimedAt: now.toISOString(),
    });
    return { kind: 'won' };
  }
  if (ack.error.code === 'already_claimed') {
    if (ack.error.claimedBy)
      await applyAlertUpdate(db, {
        ...base,
        status: 'claimed',
        claimedBy: ack.error.claimedBy,
        claimedAt: alert.claimedAt ?? now.toISOString(),
      });
    return { kind: 'lost', by: ack.error.claimedBy?.name ?? null };
  }
  if (ack.error.code === 'expired') {
    await applyAlertUpdate(db, { ...base, status: 'expired', claimedBy: null, claimedAt: null });
  }
  return { kind: 'failed', message: ack.error.message ?? ack.error.code };
}

const DISMISSED = 'shopguide-dismissed-arrivals';

/** Dismissed cards are hidden on this terminal only (another guide may still want them). */
export function readDismissed(storage: Storage): Set<string> {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(DISMISSED) ?? '[]');
    return new Set(Array.isArray(parsed) ? parsed.filter((x) => typeof x === 'string') : []);
  } catch {
    return new Set();
  }
}

export function dismiss(storage: Storage, alertId: string): Set<string> {
  // Bounded: only recent arrivals are listed, so old ids can go.
  const next = [...readDismissed(storage), alertId].slice(-500);
  storage.setItem(DISMISSED, JSON.stringify(next));
  return new Set(next);
}
