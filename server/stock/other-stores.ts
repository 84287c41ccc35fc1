import type { OtherStoresStock } from '../../shared/protocol';
import type { Queryable } from '../db/database';
import { distanceMetres } from '../presence/geo';

/**
 * A product's stock in the chain's other stores that hold any, nearest to `storeId` first (ties by
 * name), at most `limit`. A chain has tens to hundreds of stores, so the distances are computed
 * here over the product's rows (one query) rather than in SQL, with the same haversine the
 * geofences use. An unknown SKU answers no stores.
 */
export async function otherStoresStock(
  db: Queryable,
  storeId: string,
  sku: string,
  limit: number,
): Promise<OtherStoresStock> {
  const rows = await db.query<{
    store_id: string;
    name: string;
    lat: number;
    lng: number;
    stock: number;
    here: boolean;
  }>(
    `select s.id::text as store_id, s.name, s.lat, s.lng, sp.stock, s.id = $1 as here
       from products p
       join store_products sp on sp.product_id = p.id
       join stores s on s.id = sp.store_id
      where p.sku = $2 and (sp.stock > 0 or s.id = $1)`,
    [storeId, sku],
  );
  const origin =
    rows.find((r) => r.here) ??
    (
      await db.query<{ lat: number; lng: number }>('select lat, lng from stores where id = $1', [
        storeId,
      ])
    )[0];
  if (!origin) return { sku, stores: [] };
  const stores = rows
    .filter((r) => !r.here && Number(r.stock) > 0)
    .map((r) => ({
      storeId: r.store_id,
      name: r.name,
      stock: Number(r.stock),
      distanceM: Math.round(
        distanceMetres(
          { lat: Number(origin.lat), lng: Number(origin.lng) },
          { lat: Number(r.lat), lng: Number(r.lng) },
        ),
      ),
    }))
    .sort((a, b) => a.distanceM - b.distanceM || a.name.localeCompare(b.name))
    .slice(0, limit);
  return { sku, stores };
}
