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

  /**
   * The same database through a wrapper of its own — so its own sighting batches, as a second hub
   * node has — counting statements and deadlocks; `before` runs ahead of each statement, `after`
   * once it has answered.
   */
  const throughOwnBatches = (
    before?: (sql: string, params: readonly unknown[]) => Promise<void>,
    after?: (sql: string, params: readonly unknown[]) => void,
  ) => {
    const seen = { statements: 0, deadlocks: 0 };
    const query = async (sql: string, params: readonly unknown[] = []) => {
      seen.statements += 1;
      await before?.(sql, params);
      try {
        const rows = await db.query(sql, params);
        after?.(sql, params);
        return rows;
      } catch (error) {
        if ((error as { code?: unknown }).code === '40P01') seen.deadlocks += 1;
        throw error;
      }
    };
    return { db: Object.assign(Object.create(db) as Db, { query: query as Db['query'] }), seen };
  };
  const members = async (n: number, tag: string) => {
    const out: { id: string; code: string }[] = [];
    for (let i = 0; i < n; i++) {
      const code = `${tag}${Date.now()}-${i}`;
      out.push({ id: await customer(code), code });
    }
    return out;
  };

  it('answers a burst of sightings in shared statements, each as if it had run alone', async () => {
    const people = await members(40, 'B');
    const hub = throughOwnBatches();
    // every member once (by code or by id), and the first one twice
    const events = [...people, people[0]!].map((m, i) => ({
      customer: i % 2 === 0 ? { memberCode: m.code } : { customerId: m.id },
      storeId,
      source: 'wifi' as const,
    }));
    const results = await Promise.all(events.map((e) => recordPresence({ db: hub.db }, e)));
    // 41 sightings: a lookup and a write each when alone (82 statements); shared, far fewer
    expect(hub.seen.statements).toBeLessThanOrEqual(12);
    const alerts = await db.query<{ id: string; customer_id: string; visit_id: string }>(
      `select id::text as id, customer_id::text as customer_id, visit_id::text as visit_id
         from alerts where store_id = $1 and customer_id = any($2::uuid[])`,
      [storeId, people.map((m) => m.id)],
    );
    expect(alerts).toHaveLength(40);
    const alertOf = new Map(alerts.map((a) => [a.customer_id, a]));
    // The first member's two sightings arrived together: whichever the hub wrote first (they may
    // go in different batches, and two batches run at once) raised her alert, the other extended
    // that visit without a second alert.
    const [raised, extended] = results[0]!.alert ? [0, 40] : [40, 0];
    for (const [i, m] of people.entries()) {
      const result = results[i === 0 ? raised : i]!;
      const stored = alertOf.get(m.id)!;
      expect(result.alert?.card.customerId, `member ${i}`).toBe(m.id);
      expect({ alertId: result.alertId, visitId: result.visitId }).toEqual({
        alertId: stored.id,
        visitId: stored.visit_id,
      });
    }
    expect(results[extended]).toMatchObject({
      visitId: results[raised]!.visitId,
      alertId: results[raised]!.alertId,
      alert: null,
    });
    expect(await count('visits', people[0]!.id)).toBe(1);
  });

  it('fails a bad sighting alone: the rest of its batch is written, it writes nothing', async () => {
    const people = await members(6, 'F');
    const isWrite = (sql: string) => sql.includes('presence_sighting(');
    // The writes wait until every lookup has answered: the first two writes (the node's two
    // statements in flight) are held, so the others queue behind them and go as one batch —
    // whatever order the lookups came back in, and however loaded the machine is.
    let looked = 0;
    let allLooked!: () => void;
    const lookedUp = new Promise<void>((resolve) => (allLooked = resolve));
    const sightingsIn = (params: readonly unknown[]) =>
      JSON.parse(String(params[0])) as { customer: string; visit: string }[];
    // The first sighting of the first write carrying more than one: before it runs, a visit
    // already holds the id her sighting was to open, so her insert breaks the unique key (and
    // with it her whole batch's statement).
    let victim: (typeof people)[number] | undefined;
    const hub = throughOwnBatches(
      async (sql, params) => {
        if (!isWrite(sql)) return;
        await lookedUp;
        const batch = sightingsIn(params);
        if (victim || batch.length < 2) return;
        const hers = batch[0]!;
        victim = people.find((m) => m.id === hers.customer);
        await db.query(
          `insert into visits(id, store_id, customer_id, source, started_at, last_seen_at)
           values ($1, $2, null, 'wifi', now(), now())`,
          [hers.visit, storeId],
        );
      },
      (sql, params) => {
        if (isWrite(sql) || !sql.includes('jsonb_array_elements')) return;
        looked += sightingsIn(params).length;
        if (looked >= people.length) allLooked();
      },
    );
    const settled = await Promise.allSettled(
      people.map((m) =>
        recordPresence({ db: hub.db }, { customer: { memberCode: m.code }, storeId, source: 'qr' }),
      ),
    );
    expect(victim).toBeDefined();
    expect(settled.map((s) => s.status)).toEqual(
      people.map((m) => (m === victim ? 'rejected' : 'fulfilled')),
    );
    for (const m of people) expect(await count('alerts', m.id)).toBe(m === victim ? 0 : 1);
    expect(await count('visits', victim!.id)).toBe(0);
  });

  it('two nodes sighting the same members in opposite orders open one visit each, without deadlock', async () => {
    const people = await members(30, 'O');
    const [a, b] = [throughOwnBatches(), throughOwnBatches()];
    const sight = (hub: typeof a, list: typeof people) =>
      list.map((m) =>
        recordPresence({ db: hub.db }, { customer: { customerId: m.id }, storeId, source: 'wifi' }),
      );
    const results = await Promise.all([...sight(a, people), ...sight(b, [...people].reverse())]);
    expect(results.filter((r) => r.alert !== null)).toHaveLength(30);
    for (const m of people) {
      expect(await count('visits', m.id)).toBe(1);
      expect(await count('alerts', m.id)).toBe(1);
    }
    expect(a.seen.deadlocks + b.seen.deadlocks).toBe(0);
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
