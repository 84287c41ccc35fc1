import { TrailingRun } from '../../shared/trailing-run';
import type { Queryable } from '../db/database';
import { loadStores } from '../stores/stores';
import type { Geofence } from './geo';

/**
 * Stores change a few times a year but every sighting needs them: the geofences stay in memory,
 * reloaded when a store is saved (on any node, with Redis: `reloadStoreGeofences` below) and every
 * STORE_CACHE_MS in the background (a sighting meanwhile uses the ones it has). A sighting naming a store not in memory waits for a reload that started after it asked, so
 * a store created a moment ago works at once. Reloads coalesce (TrailingRun): at a chain's 1,000
 * sightings a second over 6,000 stores, each sighting that found the list stale used to load all
 * of them itself (bench:chain, docs/scaling.md), and unknown store ids can queue at most one more.
 */
export const STORE_CACHE_MS = 10_000;

export type StoreGeofences = { all: readonly Geofence[]; byId: ReadonlyMap<string, Geofence> };

type Cache = { loadedAt: number; stores: StoreGeofences | null; reload: TrailingRun };
const caches = new WeakMap<Queryable, Cache>();

function cacheFor(db: Queryable): Cache {
  let cache = caches.get(db);
  if (!cache) {
    const made: Cache = {
      loadedAt: 0,
      stores: null,
      reload: new TrailingRun(async () => {
        const all = (await loadStores(db)).map((s): Geofence => ({
          id: s.id,
          lat: s.lat,
          lng: s.lng,
          radiusM: s.geofenceRadiusM,
        }));
        made.stores = { all, byId: new Map(all.map((g) => [g.id, g])) };
        made.loadedAt = Date.now();
      }),
    };
    caches.set(db, made);
    cache = made;
  }
  return cache;
}

/** Every store's geofence; with `mustInclude`, reloaded first if that store is not known yet. */
export async function storeGeofences(db: Queryable, mustInclude?: string): Promise<StoreGeofences> {
  const cache = cacheFor(db);
  const known = cache.stores;
  if (!known || (mustInclude !== undefined && !known.byId.has(mustInclude))) {
    await cache.reload.run();
    return cache.stores ?? { all: [], byId: new Map() };
  }
  if (Date.now() - cache.loadedAt >= STORE_CACHE_MS)
    // Stale: refreshed behind this sighting (a failure keeps the list; the next one retries).
    cache.reload.run().catch(() => undefined);
  return known;
}

/**
 * After a store was created or moved: the next sighting or online event uses a list loaded after
 * that commit. On the node that saved it (server/admin/service.ts), and on the others when that
 * node tells them through Redis (`stores:changed`, server/realtime/realtime.ts; server/app.ts) —
 * within STORE_CACHE_MS without Redis, or when the word was lost. A failed reload keeps the list
 * it had.
 */
export async function reloadStoreGeofences(db: Queryable): Promise<void> {
  await cacheFor(db)
    .reload.run()
    .catch(() => undefined);
}
