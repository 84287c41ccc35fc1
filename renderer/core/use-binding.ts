import { useCallback } from 'react';
import type { CustomerBinding } from '../../shared/protocol';
import { cachedBinding } from '../data/bindings';
import { useServices } from './services';
import { useLiveQuery } from './use-async';

/**
 * The cached customer's binding (专属导购), live: it changes on screen when the feed brings a new
 * one (a transfer, an expiry, a release). `undefined` while loading or when the cache cannot be
 * read; the arrival card and the 360 both show it, offline too.
 */
export function useCustomerBinding(customerId: string): CustomerBinding | null | undefined {
  const { db } = useServices();
  const query = useCallback(() => cachedBinding(db, customerId), [db, customerId]);
  const state = useLiveQuery(query);
  return state.status === 'ready' ? state.value : undefined;
}
