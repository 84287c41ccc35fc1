import { useCallback } from 'react';
import {
  nextBestItems,
  type NextBestItem,
  type NextBestProfile,
} from '../../shared/domain/next-best';
import { nextBestCandidates } from '../data/catalog';
import { useServices } from './services';
import { useLiveQuery, type AsyncState } from './use-async';

/**
 * Next-best items for a customer (#16 item 5) from the cached catalog, offline: re-ranked when
 * the catalog or the stock changes. `profile` is what the card or the cached profile knows.
 */
export function useNextBest(profile: NextBestProfile | null): AsyncState<NextBestItem[]> {
  const { db, now } = useServices();
  const key = profile === null ? '' : JSON.stringify(profile);
  const query = useCallback(async (): Promise<NextBestItem[]> => {
    if (key === '') return [];
    const p = JSON.parse(key) as NextBestProfile;
    const skus = [
      ...p.online.wishlisted,
      ...p.online.carted,
      ...p.online.viewed,
      ...p.lastPurchases.flatMap((purchase) => purchase.items),
    ].map((i) => i.sku);
    const catalog = await nextBestCandidates(db, skus, p.favouriteCategories);
    return nextBestItems(p, catalog, now());
  }, [db, key, now]);
  return useLiveQuery(query);
}
