import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newId } from '../../shared/domain/ids';
import type { Db, Queryable } from '../db/database';
import { migrate } from '../db/migrate';
import { openPglite } from '../db/pglite';
import { STORE_CACHE_MS, storeGeofences } from './store-geofences';

describe('store geofences in memory (presence)', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openPglite('memory://');
    await migrate(db);
  }, 60_000);
  afterAll(() => db.close());

  /** A handle of its own (its own cache) that counts the store list loads. */
  const counting = () => {
    const counted: { loads: number; db: Queryable } = {
      loads: 0,
      db: {
        query: (sql, params) => {
          if (/from stores/.test(sql)) counted.loads++;
          return db.query(sql, params);
        },
      },
    };
    return counted;
  };
  const addStore = async () => {
    const id = newId();
    await db.query(
      `insert into stores(id, name, timezone, lat, lng) values ($1, $2, 'Asia/Shanghai', 31.2, 121.4)`,
      [id, `店${id.slice(-4)}`],
    );
    return id;
  };

  it('100 sightings at once on a cold cache load the list at most twice', async () => {
    const store = await addStore();
    const c = counting();
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => storeGeofences(c.db, store)),
    );
    expect(answers.every((a) => a.byId.has(store))).toBe(true);
    expect(c.loads).toBeGreaterThanOrEqual(1);
    expect(c.loads).toBeLessThanOrEqual(2);
  });

  it('a store created after the list was loaded is found at once; unknown ids share reloads', async () => {
    const c = counting();
    await storeGeofences(c.db);
    const created = await addStore();
    expect((await storeGeofences(c.db, created)).byId.has(created)).toBe(true);
    const before = c.loads;
    const unknown = await Promise.all(
      Array.from({ length: 100 }, () => storeGeofences(c.db, newId())),
    );
    expect(unknown.every((a) => a.byId.has(created))).toBe(true);
    expect(c.loads - before).toBeLessThanOrEqual(2);
  });

  it('a stale list answers at once and is refreshed once behind the sightings', async () => {
    const c = counting();
    const first = await storeGeofences(c.db);
    const added = await addStore();
    const now = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(now + STORE_CACHE_MS + 1);
    try {
      const stale = await Promise.all(Array.from({ length: 50 }, () => storeGeofences(c.db)));
      expect(stale.every((s) => s === first)).toBe(true);
      await vi.waitFor(
        async () => expect((await storeGeofences(c.db)).byId.has(added)).toBe(true),
        { timeout: 10_000 }, // the reload behind the sightings, on a possibly loaded machine
      );
      expect(c.loads).toBeLessThanOrEqual(3);
    } finally {
      clock.mockRestore();
    }
  });
});
