import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { useServices } from '../app/services';
import type { OutboxEntry } from '../data/database';
import type { SyncStatus } from '../sync/sync-status';
import { outboxItems, retryRejected } from './outbox-queries';

/** The engine's status as React state (online, pending count and age, last sync, errors). */
export function useSyncStatus(): SyncStatus {
  const { engine } = useServices();
  return useSyncExternalStore(
    useCallback((listener) => engine.subscribe(listener), [engine]),
    () => engine.status.get(),
  );
}

export type OutboxView =
  | { state: 'loading' }
  | { state: 'error'; message: string }
  | { state: 'ready'; pending: OutboxEntry[]; rejected: OutboxEntry[] };

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
  }, [db, status.pendingCount, status.rejectedCount, status.lastSuccessAt, reload]);

  const syncNow = useCallback(async () => {
    await engine.syncNow();
    setReload((n) => n + 1);
  }, [engine]);
  const retry = useCallback(
    async (id: string) => {
      await retryRejected(db, id);
      await engine.requestDrain();
      setReload((n) => n + 1);
    },
    [db, engine],
  );
  return { view, status, syncNow, retry };
}
