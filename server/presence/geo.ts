/** Mean Earth radius used by the haversine formula, metres. */
const EARTH_RADIUS_M = 6_371_008.8;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance between two points in metres (haversine; plenty for geofences). */
export function distanceMetres(
  a: { lat: number; lng: number },
  b: { lat: number; lng: number },
): number {
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

export type Geofence = { id: string; lat: number; lng: number; radiusM: number };

/** The nearest store whose geofence contains the point, or null when none does. */
export function nearestStoreContaining(
  point: { lat: number; lng: number },
  stores: readonly Geofence[],
): Geofence | null {
  let best: { store: Geofence; distance: number } | null = null;
  for (const store of stores) {
    const distance = distanceMetres(point, store);
    if (distance <= store.radiusM && (!best || distance < best.distance))
      best = { store, distance };
  }
  return best?.store ?? null;
}
