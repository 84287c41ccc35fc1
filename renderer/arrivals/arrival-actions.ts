import type { ClaimAck } from '../../shared/protocol';
import { applyAlertUpdate, type StoredAlert } from '../data/alerts';
import type { SyncEngine } from '../sync/sync-engine';
import type { AppServices } from '../core/services';

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
  db: AppServices['db'],
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
