import type { Queryable } from '../../server/db/database';

/**
 * Seeded randomness for tests and benches over places: a failure or a figure names inputs that
 * can be replayed.
 */

/** Numbers in [0, 1) from `seed` (mulberry32). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A made-up store id numbered `n` (UUID v7 layout, so ids sort by `n`). */
export const numberedStoreId = (n: number): string =>
  `0190b000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;

/** A point somewhere over mainland China (latitude 18–53, longitude 73–135). */
export const placeInChina = (next: () => number): { lat: number; lng: number } => ({
  lat: 18 + next() * 35,
  lng: 73 + next() * 62,
});

/** `count` stores numbered 1…count, each at a seeded place in China. */
export const storesAcrossChina = (
  count: number,
  next: () => number,
): { id: string; lat: number; lng: number }[] =>
  Array.from({ length: count }, (_, i) => ({ id: numberedStoreId(i + 1), ...placeInChina(next) }));

/** Writes made-up stores at their places straight into a hub database (benches), then analyzes. */
export async function insertStorePlaces(
  db: Queryable,
  places: readonly { id: string; lat: number; lng: number }[],
): Promise<void> {
  await db.query(
    `insert into stores(id, name, timezone, lat, lng)
     select x.id, 'S', 'Asia/Shanghai', x.lat, x.lng
       from jsonb_to_recordset($1::jsonb) as x(id uuid, lat double precision, lng double precision)`,
    [JSON.stringify(places)],
  );
  await db.query('analyze stores');
}
