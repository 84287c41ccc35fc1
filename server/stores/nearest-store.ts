import type { Queryable } from '../db/database';
import { storeGeofences } from '../presence/store-geofences';

/**
 * The store nearest to a point, as migration 021's SQL `nearest_store` defines it: the least
 * squared equirectangular distance `(lat − pLat)² + ((lng − pLng) · cos(radians(pLat)))²`
 * (enough to rank the stores of one chain), ties to the lowest id, null when the chain has no
 * store. Every store has a place (`stores.lat` and `lng` are not null).
 *
 * "Online nearby" (issue #17, migration 022) asks this for every online event with a location:
 * in SQL each ask read every store — 6,000 stores at 1,000 events/s is 6 million distances a
 * second, inside the change-feed lock. Here the stores sit in a static k-d tree built once per
 * store list (the presence path's cache, `nearestStoreIndex`), and a look-up visits a few dozen.
 */

export type StorePlace = { id: string; lat: number; lng: number };
export type Point = { lat: number; lng: number };

/** PostgreSQL's `radians()`: its RADIANS_PER_DEGREE is this same double. */
const RADIANS_PER_DEGREE = Math.PI / 180;

/** The SQL definition's distance, with its operations in its order (so equal inputs rank alike). */
const lngScale = (point: Point) => Math.cos(point.lat * RADIANS_PER_DEGREE);
const squaredDistance = (lat: number, lng: number, point: Point, scale: number) =>
  (lat - point.lat) ** 2 + ((lng - point.lng) * scale) ** 2;

/** The definition itself, over every store: the reference the index must agree with. */
export function nearestStoreByScan(point: Point, stores: readonly StorePlace[]): string | null {
  const scale = lngScale(point);
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const store of stores) {
    const d = squaredDistance(store.lat, store.lng, point, scale);
    if (d < bestDistance || (d === bestDistance && best !== null && store.id < best)) {
      best = store.id;
      bestDistance = d;
    }
  }
  return best;
}

export type NearestStoreIndex = { readonly size: number; nearest(point: Point): string | null };

/** Below this many stores a node is scanned; the k-d split costs more than it saves. */
const LEAF_SIZE = 16;

/**
 * A static k-d tree over the stores (kdbush's layout: parallel arrays sorted in place, the median
 * of each range its split, lat and lng in turn). Exact: a subtree is skipped only when the distance
 * to its splitting line alone already exceeds the best — computed with the same rounded operations
 * as a store's distance, and that bound never exceeds the distance of any store beyond the line —
 * so ties are still visited and go to the lowest id, as in SQL.
 */
export function buildNearestStoreIndex(stores: readonly StorePlace[]): NearestStoreIndex {
  const n = stores.length;
  const ids = stores.map((s) => s.id);
  const lats = Float64Array.from(stores, (s) => s.lat);
  const lngs = Float64Array.from(stores, (s) => s.lng);
  const swap = (i: number, j: number) => {
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    [lats[i], lats[j]] = [lats[j]!, lats[i]!];
    [lngs[i], lngs[j]] = [lngs[j]!, lngs[i]!];
  };
  // Quickselect (Hoare partition, as kdbush): the k-th smallest of `axis` to k in [left, right].
  const select = (axis: Float64Array, k: number, left: number, right: number) => {
    while (right > left) {
      const pivot = axis[k]!;
      let i = left;
      let j = right;
      swap(left, k);
      if (axis[right]! > pivot) swap(left, right);
      while (i < j) {
        swap(i, j);
        i++;
        j--;
        while (axis[i]! < pivot) i++;
        while (axis[j]! > pivot) j--;
      }
      if (axis[left] === pivot) swap(left, j);
      else {
        j++;
        swap(j, right);
      }
      if (j <= k) left = j + 1;
      if (k <= j) right = j - 1;
    }
  };
  const sort = (left: number, right: number, depth: number) => {
    if (right - left <= LEAF_SIZE) return;
    const m = (left + right) >> 1;
    select(depth % 2 === 0 ? lats : lngs, m, left, right);
    sort(left, m - 1, depth + 1);
    sort(m + 1, right, depth + 1);
  };
  sort(0, n - 1, 0);

  return {
    size: n,
    nearest(point) {
      if (n === 0) return null;
      const scale = lngScale(point);
      let best = -1;
      let bestDistance = Infinity;
      const consider = (i: number) => {
        const d = squaredDistance(lats[i]!, lngs[i]!, point, scale);
        if (d < bestDistance || (d === bestDistance && ids[i]! < ids[best]!)) {
          best = i;
          bestDistance = d;
        }
      };
      const search = (left: number, right: number, depth: number): void => {
        if (right - left <= LEAF_SIZE) {
          for (let i = left; i <= right; i++) consider(i);
          return;
        }
        const m = (left + right) >> 1;
        consider(m);
        const byLat = depth % 2 === 0;
        const offset = byLat ? lats[m]! - point.lat : lngs[m]! - point.lng;
        const bound = byLat ? offset ** 2 : (offset * scale) ** 2;
        // The side of the line the point is on first; the other only if it can hold as near.
        if (offset >= 0) {
          search(left, m - 1, depth + 1);
          if (bound <= bestDistance) search(m + 1, right, depth + 1);
        } else {
          search(m + 1, right, depth + 1);
          if (bound <= bestDistance) search(left, m - 1, depth + 1);
        }
      };
      search(0, n - 1, 0);
      return ids[best]!;
    },
  };
}

/** The places the last `nearestStoreIndexOf` index was built over, and that index. */
let lastBuilt: { places: readonly StorePlace[]; index: NearestStoreIndex } | null = null;

const samePlaces = (a: readonly StorePlace[], b: readonly StorePlace[]) =>
  a.length === b.length &&
  a.every((p, i) => p.id === b[i]!.id && p.lat === b[i]!.lat && p.lng === b[i]!.lng);

/**
 * The index over exactly `places` — the stores as a transaction read them, for a writer that must
 * rank them as SQL `nearest_store` would in that transaction (the CRM import, migration 025) —
 * reusing the last one built when the places are the same (a 6,000-store tree takes ≈ 20 ms to
 * build, an import comes in batches of 1,000 and the stores change a few times a year).
 */
export function nearestStoreIndexOf(places: readonly StorePlace[]): NearestStoreIndex {
  if (lastBuilt && samePlaces(lastBuilt.places, places)) return lastBuilt.index;
  const index = buildNearestStoreIndex(places);
  lastBuilt = { places: places.map((p) => ({ ...p })), index };
  return index;
}

const indexes = new WeakMap<object, NearestStoreIndex>();

/**
 * The index over the chain's stores as the presence cache holds them (server/presence/
 * store-geofences.ts: reloaded after a store is saved on this node or, told through Redis, on
 * another; else every STORE_CACHE_MS, so one saved while Redis was away counts within 10 s), built
 * once per loaded list. Call it outside a transaction: the first call loads the stores through
 * `db`.
 */
export async function nearestStoreIndex(db: Queryable): Promise<NearestStoreIndex> {
  const { all } = await storeGeofences(db);
  let index = indexes.get(all);
  if (!index) {
    index = buildNearestStoreIndex(all);
    indexes.set(all, index);
  }
  return index;
}
