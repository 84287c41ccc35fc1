import { useCallback } from 'react';
import { useServices } from '../core/services';
import { pendingLocalOrders, type LocalOrders } from '../data/outbox';
import { useLiveQuery } from '../core/use-async';

export type { LocalOrders };

/**
 * This terminal's orders still in the outbox, live (re-read when the outbox changes: an order
 * confirmed, a batch synced); null while loading or when the read failed.
 */
export function useLocalOrders(): LocalOrders | null {
  const { db } = useServices();
  const query = useCallback(() => pendingLocalOrders(db), [db]);
  const state = useLiveQuery(query);
  return state.status === 'ready' ? state.value : null;
}
