import type { StoreInfo } from '../../shared/protocol';
import type { Queryable } from '../db/database';

/**
 * A store as the database holds it. The one place that maps it to what the hub hands out: the
 * drivers return numeric columns as strings or numbers depending on the type, so every reader
 * goes through `storeInfo` below.
 */
type StoreRow = {
  id: string;
  name: string;
  timezone: string;
  lat: number | string;
  lng: number | string;
  geofence_radius_m: number | string;
};

const STORE_SELECT = 'select id, name, timezone, lat, lng, geofence_radius_m from stores';

const storeInfo = (row: StoreRow): StoreInfo => ({
  id: row.id,
  name: row.name,
  timezone: row.timezone,
  lat: Number(row.lat),
  lng: Number(row.lng),
  geofenceRadiusM: Number(row.geofence_radius_m),
});

export async function loadStore(db: Queryable, id: string): Promise<StoreInfo | null> {
  const [row] = await db.query<StoreRow>(`${STORE_SELECT} where id = $1`, [id]);
  return row ? storeInfo(row) : null;
}

/** Every store of the chain, by name. */
export async function loadStores(db: Queryable): Promise<StoreInfo[]> {
  return (await db.query<StoreRow>(`${STORE_SELECT} order by name`)).map(storeInfo);
}
