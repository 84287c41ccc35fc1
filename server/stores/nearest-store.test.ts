import { describe, expect, it } from 'vitest';
import { migrate } from '../db/migrate';
import { openTestPglite } from '../../test/support/pglite-template';
import {
  buildNearestStoreIndex,
  nearestStoreByScan,
  type Point,
  type StorePlace,
} from './nearest-store';
import { numberedStoreId, seededRandom } from '../../test/support/seeded';

/** `n` stores spread over China (lat 18–53, lng 73–135), as a 6,000-store chain would be. */
function chain(n: number, next: () => number): StorePlace[] {
  return Array.from({ length: n }, (_, i) => ({
    id: numberedStoreId(i + 1),
    lat: 18 + next() * 35,
    lng: 73 + next() * 62,
  }));
}

describe('nearest store index', () => {
  it('finds the same store as reading every store, for random points over a 6,000-store chain', () => {
    const next = seededRandom(17);
    const stores = chain(6_000, next);
    const index = buildNearestStoreIndex(stores);
    expect(index.size).toBe(6_000);
    // Inside the chain's box, around it, and far outside (another continent, the poles).
    for (let i = 0; i < 20_000; i++) {
      const point: Point =
        i % 10 === 0
          ? { lat: -90 + next() * 180, lng: -180 + next() * 360 }
          : { lat: 15 + next() * 41, lng: 70 + next() * 68 };
      expect(index.nearest(point), JSON.stringify(point)).toBe(nearestStoreByScan(point, stores));
    }
  });

  it('breaks ties as SQL does: the lowest id among stores at the same distance', () => {
    // Two stores on one spot (a mall), given in descending id order; a grid where points halfway
    // between rows are exactly as far from both; clusters of many stores on one spot.
    const stores: StorePlace[] = [
      { id: numberedStoreId(900), lat: 31.23, lng: 121.47 },
      { id: numberedStoreId(5), lat: 31.23, lng: 121.47 },
    ];
    for (let row = 0; row < 40; row++)
      for (let col = 0; col < 40; col++)
        stores.push({
          id: numberedStoreId(1_000 + (((row * 40 + col) * 7919) % 1_600)),
          lat: 20 + row,
          lng: 100 + col,
        });
    for (let i = 0; i < 60; i++)
      stores.push({ id: numberedStoreId(5_000 + ((i * 37) % 60)), lat: 45, lng: 88 });
    const index = buildNearestStoreIndex(stores);
    expect(index.nearest({ lat: 31.23, lng: 121.47 })).toBe(numberedStoreId(5));
    expect(index.nearest({ lat: 45, lng: 88 })).toBe(numberedStoreId(5_000));
    const next = seededRandom(23);
    for (let i = 0; i < 5_000; i++) {
      const point = { lat: 20.5 + Math.floor(next() * 39), lng: 100 + Math.floor(next() * 40) };
      expect(index.nearest(point), JSON.stringify(point)).toBe(nearestStoreByScan(point, stores));
    }
  });

  it('no store: none; one store: that one, wherever the point is', () => {
    expect(buildNearestStoreIndex([]).nearest({ lat: 30, lng: 120 })).toBeNull();
    const one = buildNearestStoreIndex([{ id: numberedStoreId(1), lat: 30, lng: 120 }]);
    expect(one.nearest({ lat: -45, lng: -70 })).toBe(numberedStoreId(1));
  });

  it(
    "agrees with the hub's SQL nearest_store (migration 021) on random points",
    { timeout: 60_000 },
    async () => {
      const db = await openTestPglite({ migrated: true });
      try {
        await migrate(db);
        const next = seededRandom(31);
        const stores = chain(800, next);
        // Two stores on one spot: SQL's tie-break is the id.
        stores.push({ id: numberedStoreId(0xfff0), lat: stores[3]!.lat, lng: stores[3]!.lng });
        await db.query(
          `insert into stores(id, name, timezone, lat, lng)
           select x.id, 'S', 'Asia/Shanghai', x.lat, x.lng
             from jsonb_to_recordset($1::jsonb) as x(id uuid, lat double precision, lng double precision)`,
          [JSON.stringify(stores)],
        );
        const points: Point[] = Array.from({ length: 2_000 }, () => ({
          lat: 15 + next() * 41,
          lng: 70 + next() * 68,
        }));
        points.push({ lat: stores[3]!.lat, lng: stores[3]!.lng });
        const sql = await db.query<{ id: string }>(
          `select nearest_store((p->>'lat')::float8, (p->>'lng')::float8)::text as id
             from jsonb_array_elements($1::jsonb) with ordinality as x(p, n)
            order by n`,
          [JSON.stringify(points)],
        );
        const index = buildNearestStoreIndex(stores);
        expect(points.map((p) => index.nearest(p))).toEqual(sql.map((r) => r.id));
      } finally {
        await db.close();
      }
    },
  );
});
