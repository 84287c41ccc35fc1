import { afterEach, describe, expect, it } from 'vitest';
import {
  profileSeqColumnSql,
  settleWithQuietStoresSql,
} from '../../server/db/migrations/030-arrival-carries-profile';
import { settleStoreScopes } from '../../server/customers/scope';
import type { Db } from '../../server/db/database';
import { migrate } from '../../server/db/migrate';
import { openTestPglite } from '../support/pglite-template';
import { describeOnPostgres } from '../support/backends';
import { openFreshPostgres } from '../support/services';
import { addScopeMember } from '../support/scope-sql';

/**
 * The scope settle round (server/customers/scope.ts) runs every second on every hub node. A row
 * that left a store's scope before it was ever numbered (erased while waiting, "online nearby"
 * over before the settle) stays `active = false, seq null` for good; it made every round take the
 * chain-wide change-feed lock to number nothing. Migration 023 and the probe count only rows that
 * really wait. In process, on each database, upgrading from v22 with such rows in place.
 */

const ID = {
  store: '0190b000-0000-7000-8000-0000000023a1',
  erased: '0190b000-0000-7000-8000-0000000023b1',
  roamer: '0190b000-0000-7000-8000-0000000023b2',
  homed: '0190b000-0000-7000-8000-0000000023b3',
  later: '0190b000-0000-7000-8000-0000000023b4',
};

type Opened = { db: Db; drop(): Promise<void> };

/**
 * `db` with its lock-taking rounds counted: a round takes the change-feed lock in one statement,
 * `settle_store_scopes` (migrations 026, 030); any transaction opened would count too.
 */
function counting(db: Db): { db: Db; transactions: () => number } {
  let n = 0;
  return {
    db: {
      ...db,
      query: (sql, params) => {
        if (sql.includes('settle_store_scopes(')) n++;
        return db.query(sql, params);
      },
      transaction: (fn) => {
        n++;
        return db.transaction(fn);
      },
    },
    transactions: () => n,
  };
}

const lastSeq = async (db: Db) =>
  (await db.query<{ seq: string }>('select last_value::text as seq from change_seq'))[0]!.seq;
const scopeRows = (db: Db) =>
  db.query<{ customer: string; active: boolean; seq: string | null }>(
    `select customer_id::text as customer, active, seq::text as seq
       from customer_store_scope order by customer_id`,
  );

function settleSuite(open: () => Promise<Opened>) {
  let opened: Opened | undefined;
  afterEach(async () => {
    await opened?.drop();
    opened = undefined;
  });

  it(
    'a round with only rows that left unnumbered takes no lock and draws no number; waiting rows are still numbered',
    { timeout: 60_000 },
    async () => {
      opened = await open();
      const { db } = opened;
      expect(await migrate(db, 22)).toContain(22);
      // The settle is one function since migration 026 (as 030 has it: with its quiet stores and
      // the column it reads); it needs nothing newer than 022, so the rounds before the upgrade to
      // 023 run it installed by hand.
      await db.query(profileSeqColumnSql);
      await db.query(settleWithQuietStoresSql);
      await db.query(
        `insert into stores(id, name, timezone, lat, lng)
         values ($1, '成都', 'Asia/Shanghai', 30.66, 104.07)`,
        [ID.store],
      );
      // Waiting for a number, then erased before any settle: inactive, unnumbered, for good.
      await addScopeMember(db, ID.erased, '注销', ID.store);
      await db.query(
        `update customers set deleted = true, seq = nextval('change_seq') where id = $1`,
        [ID.erased],
      );
      // Online nearby, and the time ran out before the settle: the round takes the reason off.
      await addScopeMember(db, ID.roamer, '网购', null);
      await db.query(`select scope_enter_online($1, $2, now() + interval '1 hour')`, [
        ID.store,
        ID.roamer,
      ]);
      await db.query(`update customer_store_scope set online_until = now() - interval '1 second'`);
      await settleStoreScopes(db, 100);
      expect(await scopeRows(db)).toEqual([
        { customer: ID.erased, active: false, seq: null },
        { customer: ID.roamer, active: false, seq: null },
      ]);
      // A member waiting when the hub upgrades.
      await addScopeMember(db, ID.homed, '常客', ID.store);

      expect(await migrate(db, 23)).toEqual([23]);
      const indexes = await db.query<{ name: string }>(
        `select indexname as name from pg_indexes
          where tablename = 'customer_store_scope'
            and indexname in ('customer_store_scope_pending', 'customer_store_scope_waiting')`,
      );
      expect(indexes.map((i) => i.name)).toEqual(['customer_store_scope_waiting']);

      const counted = counting(db);
      const first = await settleStoreScopes(counted.db, 100);
      expect(first).toMatchObject({ stores: [ID.store], more: false });
      expect(first.cursor).toBe(await lastSeq(db));
      expect(counted.transactions()).toBe(1);
      const homed = (await scopeRows(db)).find((r) => r.customer === ID.homed);
      expect(homed).toEqual({ customer: ID.homed, active: true, seq: first.cursor });

      // Nothing waits: the left rows are still there, unnumbered, and no round takes the lock.
      const seqBefore = await lastSeq(db);
      for (let round = 0; round < 3; round++)
        expect(await settleStoreScopes(counted.db, 100)).toEqual({
          cursor: null,
          stores: [],
          quiet: [],
          more: false,
        });
      expect(counted.transactions()).toBe(1);
      expect(await lastSeq(db)).toBe(seqBefore);
      expect((await scopeRows(db)).filter((r) => r.seq === null)).toHaveLength(2);

      // The next member to arrive is numbered by the next round, as before.
      await addScopeMember(db, ID.later, '新客', ID.store);
      const next = await settleStoreScopes(counted.db, 100);
      expect(counted.transactions()).toBe(2);
      expect(BigInt(next.cursor!)).toBeGreaterThan(BigInt(seqBefore));
      expect((await scopeRows(db)).find((r) => r.customer === ID.later)?.seq).toBe(next.cursor);
    },
  );
}

describe('scope settle round, nothing to number (PGlite)', () => {
  settleSuite(async () => {
    const db = await openTestPglite();
    return { db, drop: () => db.close() };
  });
});

describeOnPostgres('scope settle round, nothing to number', () => {
  settleSuite(async () => {
    const { db, drop } = await openFreshPostgres();
    return { db, drop };
  });
});
