import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useServices } from '../core/services';
import {
  outboxItems,
  outboxSummary,
  retryRejected,
  type OutboxEntry,
  type OutboxSummary,
  type SetAsideRow,
} from '../data/outbox';
import type { SyncStatus } from '../sync/sync-status';

const OUTBOX_POLL_MS = 1_000;

/**
 * The engine's status as React state (online, pending count and age, last sync, errors), with the
 * outbox figures read from the database itself: an order saved while offline counts at once, even
 * before the engine next looks at the outbox (the durable write bypasses Dexie's change events).
 */
export function useSyncStatus(): SyncStatus {
  const { engine, db } = useServices();
  const status = useSyncExternalStore(
    useCallback((listener) => engine.subscribe(listener), [engine]),
    () => engine.status.get(),
  );
  const [summary, setSummary] = useState<OutboxSummary | null>(null);
  useEffect(() => {
    let live = true;
    const read = () =>
      void outboxSummary(db)
        .then((s) => live && setSummary(s))
        .catch(() => undefined);
    read();
    const timer = setInterval(read, OUTBOX_POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [db, status.pendingCount, status.rejectedCount, status.lastSuccessAt]);
  return useMemo(() => (summary ? { ...status, ...summary } : status), [status, summary]);
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
