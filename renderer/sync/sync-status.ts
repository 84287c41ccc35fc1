/** What the UI can observe about sync, without React: `get()` and `subscribe()`. */
export type SyncProgress = {
  feed: 'customers' | 'catalog' | 'staff';
  done: number;
  total: number | null;
};

/**
 * The customer cache filled again after the hub changed which customer feed it serves (feed
 * identity, issue #17; data/feeds.ts `resetCustomerFeed`): `running` from the reset to the new
 * feed's head — `before` rows were applied before this run (one resumed after a restart), `progress`
 * counts this run — then `done` with the rows cached, until the guide dismisses the notice.
 */
export type CustomerResync = { phase: 'running'; before: number } | { phase: 'done'; rows: number };

export type SyncStatus = {
  /** live channel connected */
  online: boolean;
  syncing: boolean;
  /** the hub revoked this terminal; the local database has been wiped */
  revoked: boolean;
  pendingCount: number;
  oldestPendingAt: string | null;
  rejectedCount: number;
  /** feed rows that failed validation and were set aside (sync panel lists them) */
  setAsideCount: number;
  lastSuccessAt: string | null;
  lastError: string | null;
  progress: SyncProgress | null;
  customerResync: CustomerResync | null;
};

export const INITIAL_STATUS: SyncStatus = {
  online: false,
  syncing: false,
  revoked: false,
  pendingCount: 0,
  oldestPendingAt: null,
  rejectedCount: 0,
  setAsideCount: 0,
  lastSuccessAt: null,
  lastError: null,
  progress: null,
  customerResync: null,
};

export type StatusStore = {
  get(): SyncStatus;
  subscribe(listener: (status: SyncStatus) => void): () => void;
  update(patch: Partial<SyncStatus>): void;
};

export function createStatusStore(initial: SyncStatus = INITIAL_STATUS): StatusStore {
  let current = initial;
  const listeners = new Set<(status: SyncStatus) => void>();
  return {
    get: () => current,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    update(patch) {
      const next = { ...current, ...patch };
      const changed = (Object.keys(patch) as (keyof SyncStatus)[]).some(
        (k) => next[k] !== current[k],
      );
      if (!changed) return;
      current = next;
      for (const listener of listeners) listener(current);
    },
  };
}
