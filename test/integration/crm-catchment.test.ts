import { afterEach, describe, expect, it } from 'vitest';
import { crmCustomer, type CrmCustomer } from '../../shared/protocol';
import { upsertCrmCustomers } from '../../server/customers/crm';
import { ensurePhoneHashKey } from '../../server/customers/phone-key';
import type { Db } from '../../server/db/database';
import { migrate } from '../../server/db/migrate';
import { describeOnPostgres } from '../support/backends';
import { openTestPglite } from '../support/pglite-template';
import { openFreshPostgres } from '../support/services';
import { numberedStoreId, seededRandom } from '../support/seeded';

/**
 * A CRM import of members with a place (issue #17, migration 025): the import finds each member's
 * nearest store in process and enters its catchment scope itself; the trigger of migration 021
 * leaves the catchment to it and calls SQL `nearest_store` only for other writers. The member ends
 * up in the scope of the same store as `nearest_store` names. In process, on each database.
 */

type Opened = { db: Db; drop(): Promise<void> };

const STORES = 300;
const MEMBERS = 1_500;
/** Two stores on one spot (a mall), the higher id first: SQL's tie goes to the lower id. */
const MALL = { lat: 31.2304, lng: 121.4737 };

async function seedStores(db: Db, next: () => number): Promise<void> {
  const stores = Array.from({ length: STORES }, (_, i) => ({
    id: numberedStoreId(i + 10),
    lat: 18 + next() * 35,
    lng: 73 + next() * 62,
  }));
  stores.push({ id: numberedStoreId(0xfff0), ...MALL }, { id: numberedStoreId(1), ...MALL });
  await db.query(
    `insert into stores(id, name, timezone, lat, lng)
     select x.id, 'S', 'Asia/Shanghai', x.lat, x.lng
       from jsonb_to_recordset($1::jsonb) as x(id uuid, lat double precision, lng double precision)`,
    [JSON.stringify(stores)],
  );
}

/** `SQL nearest_store` stands in for one that fails: proves a statement does not call it. */
async function forbidNearestStore(db: Db): Promise<() => Promise<void>> {
  const [{ def }] = (await db.query<{ def: string }>(
    `select pg_get_functiondef('nearest_store(double precision, double precision)'::regprocedure)
       as def`,
  )) as [{ def: string }];
  await db.query(
    `create or replace function nearest_store(p_lat double precision, p_lng double precision)
     returns uuid language plpgsql stable as $f$
     begin raise exception 'nearest_store called'; end
     $f$`,
  );
  return async () => {
    await db.query(def);
  };
}

/** Per member with a place: the stores whose catchment (reason 32) holds them, and SQL's answer. */
const catchments = (db: Db) =>
  db.query<{ crm_id: string; scoped: string[]; sql: string }>(
    `select c.crm_id,
            coalesce(array_agg(s.store_id::text order by s.store_id)
                       filter (where s.store_id is not null), '{}') as scoped,
            nearest_store(c.lat, c.lng)::text as sql
       from customers c
       left join customer_store_scope s on s.customer_id = c.id and s.reasons & 32 <> 0
      where c.lat is not null
      group by c.id
      order by c.crm_id`,
  );

/** In batches of 1,000, the endpoint's largest; answers the items' statuses. */
async function importAll(db: Db, items: readonly CrmCustomer[]): Promise<string[]> {
  const statuses: string[] = [];
  for (let i = 0; i < items.length; i += 1_000) {
    const { results } = await upsertCrmCustomers(db, items.slice(i, i + 1_000));
    statuses.push(...results.map((r) => r.status));
  }
  return statuses;
}

function catchmentSuite(open: () => Promise<Opened>) {
  let opened: Opened | undefined;
  afterEach(async () => {
    await opened?.drop();
    opened = undefined;
  });

  it(
    'an import puts each member in the catchment of the store SQL nearest_store names, without calling it',
    { timeout: 120_000 },
    async () => {
      opened = await open();
      const { db } = opened;
      const next = seededRandom(25);
      await seedStores(db, next);
      const place = () => ({ lat: 15 + next() * 41, lng: 70 + next() * 68 });
      const items = Array.from({ length: MEMBERS }, (_, i) =>
        crmCustomer.parse({
          crmId: `crm-${String(i).padStart(5, '0')}`,
          name: '会员',
          phone: `139${String(i).padStart(8, '0')}`,
          // Some exactly at the mall (a tie), some also homed at a store.
          location: i % 50 === 1 ? MALL : place(),
          homeStoreId: i % 7 === 0 ? numberedStoreId(10 + (i % STORES)) : undefined,
        }),
      );

      const allow = await forbidNearestStore(db);
      expect(await importAll(db, items)).toEqual(items.map(() => 'accepted'));
      // Half of them move (a new geocode), the rest are sent again unchanged. A place is not part
      // of the profile terminals get: either way the record answers `duplicate`.
      const moved = items.map((item, i) => (i % 2 === 0 ? { ...item, location: place() } : item));
      expect(await importAll(db, moved)).toEqual(items.map(() => 'duplicate'));
      await allow();

      const rows = await catchments(db);
      expect(rows).toHaveLength(MEMBERS);
      for (const [i, row] of rows.entries()) {
        // Moved members are in the catchment of their old place's store and of their new one's.
        if (i % 2 === 0) expect(row.scoped, row.crm_id).toContain(row.sql);
        else expect(row.scoped, row.crm_id).toEqual([row.sql]);
      }
      // The members at the mall (not moved): the lower id of its two stores.
      const atMall = rows.filter((_, i) => i % 50 === 1);
      expect(atMall).toHaveLength(MEMBERS / 50);
      for (const row of atMall) expect(row.scoped, row.crm_id).toEqual([numberedStoreId(1)]);
      // Home stores are still entered by the trigger.
      const [{ homed }] = (await db.query<{ homed: number }>(
        `select count(*)::int as homed from customer_store_scope s
           join customers c on c.id = s.customer_id
          where s.store_id = c.home_store_id and s.reasons & 1 <> 0`,
      )) as [{ homed: number }];
      expect(homed).toBe(items.filter((i) => i.homeStoreId).length);
    },
  );

  it(
    'other writers of a place keep the SQL path, also after an import in the same transaction',
    { timeout: 60_000 },
    async () => {
      opened = await open();
      const { db } = opened;
      await seedStores(db, seededRandom(26));
      const [a, b] = [
        '0190b000-0000-7000-8000-0000000025a1',
        '0190b000-0000-7000-8000-0000000025a2',
      ];
      for (const [id, code] of [
        [a, 'M-25A1'],
        [b, 'M-25A2'],
      ] as const)
        await db.query(
          `insert into customers(id, seq, name, member_code) values ($1, nextval('change_seq'), '会员', $2)`,
          [id, code],
        );
      await db.transaction(async (tx) => {
        // The caller names the store (here deliberately not the nearest one): it is entered as is.
        await tx.query(
          'select locate_customers($1::uuid[], $2::float8[], $3::float8[], $4::uuid[])',
          [[a], [MALL.lat], [MALL.lng], [numberedStoreId(10)]],
        );
        await tx.query('update customers set lat = $2, lng = $3 where id = $1', [
          b,
          MALL.lat,
          MALL.lng,
        ]);
      });
      const scoped = await db.query<{ customer: string; store: string }>(
        `select customer_id::text as customer, store_id::text as store from customer_store_scope
          where reasons & 32 <> 0 order by customer_id`,
      );
      expect(scoped).toEqual([
        { customer: a, store: numberedStoreId(10) },
        { customer: b, store: numberedStoreId(1) },
      ]);
    },
  );
}

describe('CRM import: the catchment found in process (PGlite)', () => {
  catchmentSuite(async () => {
    const db = await openTestPglite({ migrated: true });
    await ensurePhoneHashKey(db);
    return { db, drop: () => db.close() };
  });
});

describeOnPostgres('CRM import: the catchment found in process', () => {
  catchmentSuite(async () => {
    const { db, drop } = await openFreshPostgres();
    await migrate(db);
    await ensurePhoneHashKey(db);
    return { db, drop };
  });
});
