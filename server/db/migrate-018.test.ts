import { afterEach, describe, expect, it } from 'vitest';
import { createStore, listStores } from '../admin/service';
import type { Db } from './database';
import { migrate } from './migrate';
import { openTestPglite } from '../../test/support/pglite-template';

const STORE = '0190b000-0000-7000-8000-000000001801';

describe('migration 018 (store regions)', () => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it(
    'keeps existing stores, without a region, and then lets IT place them',
    { timeout: 60_000 },
    async () => {
      db = await openTestPglite();
      await migrate(db, 15);
      await db.query(
        `insert into stores(id, name, timezone, lat, lng) values ($1, '上海店', 'Asia/Shanghai', 31, 121)`,
        [STORE],
      );
      expect(await migrate(db)).toContain(18);
      expect(await listStores(db)).toMatchObject([{ id: STORE, name: '上海店', region: null }]);

      const store = { id: STORE, name: '上海店', timezone: 'Asia/Shanghai', lat: 31, lng: 121 };
      await createStore(db, { ...store, geofenceRadiusM: 200, region: '华东' }, 'admin_cli');
      // An update that leaves the region out keeps it; null takes the store out of it.
      await createStore(db, { ...store, geofenceRadiusM: 250 }, 'admin_cli');
      expect((await listStores(db))[0]).toMatchObject({ region: '华东', geofence_radius_m: 250 });
      await createStore(db, { ...store, geofenceRadiusM: 250, region: null }, 'admin_cli');
      expect((await listStores(db))[0]?.region).toBeNull();
    },
  );
});
