import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useServices } from '../core/services';
import { outboxItems, retryRejected, type OutboxEntry, type SetAsideRow } from '../data/outbox';
import { correctRejected, discardRejected, type OutboxFix } from '../data/outbox-fixes';
import type { DiscardReason } from '../../shared/protocol';
import { useKeyStore } from '../core/customer-lookup';
import { useAppStore } from '../core/store';
import type { RejectedActions } from './rejected-row';
import type { SyncStatus } from '../sync/sync-status';

/** How often the status is handed out again so its ages ("oldest 7 min ago") move on. */
const AGE_TICK_MS = 1_000;

/**
 * The engine's status as React state (online, pending count and age, last sync, errors): the one
 * status store the UI observes. The engine refreshes the outbox figures itself when an order is
 * queued (data/outbox.ts `onOutboxQueued`), so one saved while offline counts at once; this hook
 * asks once on mount, for a screen shown before the engine has started.
 */
export function useSyncStatus(): SyncStatus {
  const { engine } = useServices();
  const status = useSyncExternalStore(
    useCallback((listener) => engine.subscribe(listener), [engine]),
    () => engine.status.get(),
  );
  useEffect(() => void engine.refreshOutbox(), [engine]);
  // A clock, not a poller: nothing is read, the component re-renders to show ages as of now.
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), AGE_TICK_MS);
    return () => clearInterval(timer);
  }, []);
  return status;
}

export type OutboxView =
  | { state: 'loading' }
  | { state: 'error'; message: string }
  | { state: 'ready'; pending: OutboxEntry[]; rejected: OutboxEntry[]; setAside: SetAsideRow[] };

/** Pending and rejected outbox entries, refreshed whenever the sync status changes. */
export function useOutbox() {
  const { db, engine } = useServices();
  const status = useSyncStatus();
  const [view, setView] = useState<OutboxView>({ state: 'loading' });
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let live = true;
    outboxItems(db)
      .then((items) => live && setView({ state: 'ready', ...items }))
      .catch(
        (error: unknown) =>
          live && setView({ state: 'error', message: error instanceof Error ? error.message : '' }),
      );
    return () => {
      live = false;
    };
  }, [
    db,
    status.pendingCount,
    status.rejectedCount,
    status.setAsideCount,
    status.lastSuccessAt,
    reload,
  ]);

  const syncNow = useCallback(async () => {
    await engine.syncNow();
    setReload((n) => n + 1);
  }, [engine]);
  const guideId = useAppStore((s) => s.guide?.id ?? null);
  const { now } = useServices();
  const secrets = useKeyStore();
  const actions = useMemo<RejectedActions>(() => {
    const afterwards = async () => {
      await engine.requestDrain();
      setReload((n) => n + 1);
    };
    return {
      retry: async (id: string) => {
        await retryRejected(db, id);
        await afterwards();
      },
      correct: async (id: string, fix: OutboxFix) => {
        const result = await correctRejected(db, secrets, id, fix);
        if (!result.ok) return result.error.message;
        await afterwards();
        return null;
      },
      discard: async (id: string, reason: DiscardReason) => {
        const result = await discardRejected(db, id, reason, guideId, now());
        if (!result.ok) return result.error.message;
        await afterwards();
        return null;
      },
    };
  }, [db, engine, secrets, guideId, now]);
  return { view, status, syncNow, actions };
}
