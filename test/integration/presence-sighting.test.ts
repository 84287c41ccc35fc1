import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { openDatabase, type Db } from '../../server/db/database';
import { migrate } from '../../server/db/migrate';
import { recordPresence } from '../../server/presence/presence';
import { describeOnPostgres } from '../support/backends';
import { freshPostgresDatabase } from '../support/services';

/**
 * `recordPresence` in process, on each backend: the sighting's write is one statement
 * (`presence_sighting`, migration 024) that takes the store × customer lock itself, and the
 * customer lookup also answers whether she has a visit open. What must not change: concurrent
 * sightings of one member in one store open one visit and raise one alert; a sighting through a
 * merged-away member code extends the survivor's visit; a repeat within the window extends.
 */
function suite(open: () => Promise<{ db: Db; drop: () => Promise<void> }>) {
  let db: Db;
  let drop: () => Promise<void>;
  let storeId: string;
  const customer = async (code: string) => {
    const id = newId();
    await db.query(
      `insert into customers(id, seq, name, member_code, tier)
       values ($1, nextval('change_seq'), $2, $3, 'gold')`,
      [id, `顾客${code}`, code],
    );
    return id;
  };
  const count = async (table: 'visits' | 'alerts', customerId: string) =>
    (
      await db.query<{ n: number }>(
        `select count(*)::int as n from ${table} where customer_id = $1 and store_id = $2`,
        [customerId, storeId],
      )
    )[0]?.n;

  beforeAll(async () => {
    ({ db, drop } = await open());
    await migrate(db);
    storeId = newId();
    await db.query(
      `insert into stores(id, name, timezone, lat, lng) values ($1, 'S', 'Asia/Shanghai', 31.2, 121.4)`,
      [storeId],
    );
  });
  afterAll(async () => {
    await db.close();
    await drop();
  });

  it('raises one alert for a burst of simultaneous sightings of one member', async () => {
    const id = await customer(`C${Date.now()}`);
    const code = (
      await db.query<{ c: string }>('select member_code as c from customers where id = $1', [id])
    )[0]!.c;
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        recordPresence(
          { db },
          {
            customer: i % 2 === 0 ? { memberCode: code } : { customerId: id },
            storeId,
            source: i % 3 === 0 ? 'beacon' : 'wifi',
          },
        ),
      ),
    );
    expect(results.filter((r) => r.alert !== null)).toHaveLength(1);
    expect(new Set(results.map((r) => r.visitId)).size).toBe(1);
    expect(new Set(results.map((r) => r.alertId)).size).toBe(1);
    expect(await count('visits', id)).toBe(1);
    expect(await count('alerts', id)).toBe(1);
    const [visit] = await db.query<{ sightings: number }>(
      'select sightings from visits where customer_id = $1',
      [id],
    );
    expect(visit?.sightings).toBe(12);
  });

  it('extends the open visit on a repeat, and opens a new one after the window', async () => {
    const id = await customer(`R${Date.now()}`);
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
    const first = await recordPresence(
      { db },
      { customer: { customerId: id }, storeId, source: 'wifi', at: at(90) },
    );
    const again = await recordPresence(
      { db },
      { customer: { customerId: id }, storeId, source: 'app', at: at(70) },
    );
    const later = await recordPresence(
      { db },
      { customer: { customerId: id }, storeId, source: 'wifi' },
    );
    expect(first.alert?.card.customerId).toBe(id);
    expect(again).toMatchObject({ visitId: first.visitId, alertId: first.alertId, alert: null });
    expect(later.alert).not.toBeNull();
    expect(later.visitId).not.toBe(first.visitId);
    expect(await count('alerts', id)).toBe(2);
  });

  it('extends the survivor’s visit when she is seen by a merged-away member code', async () => {
    const survivor = await customer(`S${Date.now()}`);
    const code = `D${Date.now()}`;
    const duplicate = await customer(code);
    await db.query('update customers set merged_into = $1 where id = $2', [survivor, duplicate]);
    const first = await recordPresence(
      { db },
      { customer: { customerId: survivor }, storeId, source: 'wifi' },
    );
    const byOldCode = await recordPresence(
      { db },
      { customer: { memberCode: code }, storeId, source: 'beacon' },
    );
    expect(first.alert?.card.customerId).toBe(survivor);
    expect(byOldCode).toMatchObject({
      visitId: first.visitId,
      alertId: first.alertId,
      alert: null,
    });
    expect(await count('alerts', survivor)).toBe(1);
    expect(await count('alerts', duplicate)).toBe(0);
  });

  it('records a sighting of nobody known without a visit lookup or an alert', async () => {
    const result = await recordPresence(
      { db },
      { customer: { memberCode: 'NOBODY' }, storeId, source: 'qr' },
    );
    expect(result).toMatchObject({ alertId: null, alert: null, seen: null });
  });
}

describe('presence sighting in one statement (PGlite)', () =>
  suite(async () => ({
    db: await openDatabase({ dataDir: 'memory://', pgliteThread: 'main' }),
    drop: async () => undefined,
  })));

describeOnPostgres('presence sighting in one statement', () =>
  suite(async () => {
    const database = await freshPostgresDatabase();
    return {
      db: await openDatabase({ databaseUrl: database.url, dataDir: '' }),
      drop: database.drop,
    };
  }),
);
