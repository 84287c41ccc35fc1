import { afterEach, describe, expect, it } from 'vitest';
import { settleStoreScopes } from '../customers/scope';
import { storeCustomerFeedPage } from '../sync/scope-feed';
import type { Db } from './database';
import { migrate, migrations } from './migrate';
import { openTestPglite } from '../../test/support/pglite-template';

const ID = {
  shanghai: '0190b000-0000-7000-8000-0000000021a1',
  beijing: '0190b000-0000-7000-8000-0000000021a2',
  terminal: '0190b000-0000-7000-8000-0000000021a3',
  guide: '0190b000-0000-7000-8000-0000000021a4',
  homed: '0190b000-0000-7000-8000-0000000021b1',
  buyer: '0190b000-0000-7000-8000-0000000021b2',
  nobody: '0190b000-0000-7000-8000-0000000021b3',
  merged: '0190b000-0000-7000-8000-0000000021b4',
  order: '0190b000-0000-7000-8000-0000000021c1',
};

type ScopeRow = { store: string; customer: string; reasons: number; seq: string | null };
const scopes = (db: Db) =>
  db.query<ScopeRow>(
    `select store_id::text as store, customer_id::text as customer, reasons, seq::text as seq
       from customer_store_scope order by store_id, customer_id`,
  );

describe('migration 021 (store scopes)', () => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it(
    'puts v20 members into the scopes of their home store and where they bought, at their own feed numbers; later changes follow',
    { timeout: 60_000 },
    async () => {
      db = await openTestPglite();
      await migrate(db, 20);
      for (const [id, name] of [
        [ID.shanghai, '上海'],
        [ID.beijing, '北京'],
      ])
        await db.query(
          `insert into stores(id, name, timezone, lat, lng) values ($1, $2, 'Asia/Shanghai', 31.2, 121.4)`,
          [id, name],
        );
      await db.query(
        `insert into terminals(id, store_id, name, token_hash) values ($1, $2, '1号', 'x')`,
        [ID.terminal, ID.beijing],
      );
      await db.query(
        `insert into guides(id, store_id, name, role, pin_hash) values ($1, $2, '王芳', 'guide', 'x')`,
        [ID.guide, ID.beijing],
      );
      await db.query(
        `insert into customers(id, seq, name, member_code, home_store_id) values
           ($1, 11, '本店', 'M1', $5), ($2, 12, '买过', 'M2', $5), ($3, 13, '无店', 'M3', null),
           ($4, 14, '合并', 'M4', $5)`,
        [ID.homed, ID.buyer, ID.nobody, ID.merged, ID.shanghai],
      );
      await db.query(`update customers set merged_into = $1, deleted = true where id = $2`, [
        ID.homed,
        ID.merged,
      ]);
      await db.query(
        `insert into orders(id, store_id, terminal_id, guide_id, customer_id, payment_method,
           created_at, total, units)
         values ($1, $2, $3, $4, $5, 'wechat', now(), 100, 1)`,
        [ID.order, ID.beijing, ID.terminal, ID.guide, ID.buyer],
      );
      await db.query(`select setval('change_seq', 20)`);

      // 021 and every later migration (which must keep its backfill intact) are applied.
      const applied = await migrate(db);
      expect(applied[0]).toBe(21);
      expect(applied).toEqual(migrations.map((m) => m.version).filter((v) => v > 20));
      // The merged-away member and the one with no store are in no scope.
      expect(await scopes(db)).toEqual(
        [
          { store: ID.shanghai, customer: ID.homed, reasons: 1, seq: '11' },
          { store: ID.shanghai, customer: ID.buyer, reasons: 1, seq: '12' },
          { store: ID.beijing, customer: ID.buyer, reasons: 2, seq: '12' },
        ].sort((a, b) => (a.store + a.customer < b.store + b.customer ? -1 : 1)),
      );
      const sizes = await db.query<{ store: string; active: number }>(
        'select store_id::text as store, active from customer_scope_sizes order by 1',
      );
      expect(Object.fromEntries(sizes.map((s) => [s.store, s.active]))).toEqual({
        [ID.shanghai]: 2,
        [ID.beijing]: 1,
      });

      // A change to a scoped member moves its scope rows with it (under the feed lock, as the
      // hub's writers do); a new member waits for its number until the scopes are settled.
      await db.transaction(async (tx) => {
        await tx.query('select pg_advisory_xact_lock(4600)');
        await tx.query(`update customers set seq = nextval('change_seq') where id = $1`, [
          ID.buyer,
        ]);
        await tx.query(`update customers set home_store_id = $1 where id = $2`, [
          ID.beijing,
          ID.nobody,
        ]);
      });
      const page = await storeCustomerFeedPage(db, ID.beijing, { after: '12', limit: 10 });
      expect(JSON.parse(page.itemsJson.toString()).map((i: { id: string }) => i.id)).toEqual([
        ID.buyer,
      ]);
      expect(await settleStoreScopes(db, 200_000)).toEqual({
        cursor: '22',
        stores: [ID.beijing],
        quiet: [],
        more: false,
      });
      const next = await storeCustomerFeedPage(db, ID.beijing, { after: page.cursor, limit: 10 });
      expect(JSON.parse(next.itemsJson.toString()).map((i: { id: string }) => i.id)).toEqual([
        ID.nobody,
      ]);
    },
  );
});
