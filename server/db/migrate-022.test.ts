import { afterEach, describe, expect, it } from 'vitest';
import { settleStoreScopes } from '../customers/scope';
import { storeCustomerFeedPage } from '../sync/scope-feed';
import type { Db } from './database';
import { migrate } from './migrate';
import { openTestPglite } from '../../test/support/pglite-template';
import { scopeSize } from '../../test/support/scope-sql';

const ID = {
  xian: '0190b000-0000-7000-8000-0000000022a1',
  hangzhou: '0190b000-0000-7000-8000-0000000022a2',
  roamer: '0190b000-0000-7000-8000-0000000022b1',
  regular: '0190b000-0000-7000-8000-0000000022b2',
  twin: '0190b000-0000-7000-8000-0000000022b3',
  survivor: '0190b000-0000-7000-8000-0000000022b4',
};
const XIAN = { lat: 34.34, lng: 108.94 };

type Row = { reasons: number; score: number; active: boolean; seq: string | null; due: boolean };
const scopeRow = async (db: Db, store: string, customer: string): Promise<Row | undefined> =>
  (
    await db.query<Row>(
      `select reasons, score, active, seq::text as seq, online_until is not null as due
         from customer_store_scope where store_id = $1 and customer_id = $2`,
      [store, customer],
    )
  )[0];
/** What the store's feed sends after `after`: ids, an out-of-scope tombstone as `out:<id>`. */
const feedAfter = async (db: Db, store: string, after: string) => {
  const page = await storeCustomerFeedPage(db, store, { after, limit: 100 });
  const items = JSON.parse(page.itemsJson.toString()) as { id: string; outOfScope?: true }[];
  return { ids: items.map((i) => (i.outOfScope ? `out:${i.id}` : i.id)), cursor: page.cursor };
};
/** `scope_enter_online` as online events call it: near Xi'an until `seconds` from now. */
const seenOnline = (db: Db, customer: string, seconds: number) =>
  db.query(
    `select scope_enter_online(nearest_store($1, $2), $3, now() + make_interval(secs => $4))`,
    [XIAN.lat, XIAN.lng, customer, seconds],
  );
/** Lets the online time of every row run out (as days passing would). */
const expireAll = (db: Db) =>
  db.query(
    `update customer_store_scope set online_until = now() - interval '1 second'
      where online_until is not null`,
  );

describe('migration 022 (online nearby)', () => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it(
    'ranks "online nearby" between looked up and catchment; it expires, and a member with no other reason leaves once',
    { timeout: 60_000 },
    async () => {
      db = await openTestPglite();
      expect(await migrate(db)).toContain(22);
      await db.query(
        `insert into stores(id, name, timezone, lat, lng) values
           ($1, '西安', 'Asia/Shanghai', 34.34, 108.94), ($2, '杭州', 'Asia/Shanghai', 30.27, 120.16)`,
        [ID.xian, ID.hangzhou],
      );
      const [score] = await db.query<{ lookup: number; online: number; catchment: number }>(
        'select scope_score(16) as lookup, scope_score(64) as online, scope_score(32) as catchment',
      );
      expect(score).toEqual({ lookup: 20, online: 15, catchment: 10 });

      await db.query(
        `insert into customers(id, seq, name, member_code, home_store_id) values
           ($1, nextval('change_seq'), '网购', 'M1', null),
           ($2, nextval('change_seq'), '常客', 'M2', $3)`,
        [ID.roamer, ID.regular, ID.xian],
      );
      await settleStoreScopes(db, 200_000);
      const start = (await feedAfter(db, ID.xian, '0')).cursor;

      // Seen online near Xi'an twice, and the regular (homed there) too: the roamer enters once.
      await seenOnline(db, ID.roamer, 3600);
      await seenOnline(db, ID.roamer, 3600 * 2);
      await seenOnline(db, ID.regular, 3600);
      expect(await scopeRow(db, ID.hangzhou, ID.roamer)).toBeUndefined();
      const entered = await settleStoreScopes(db, 200_000);
      expect(entered.stores).toEqual([ID.xian]);
      const first = await feedAfter(db, ID.xian, start);
      expect(first.ids).toEqual([ID.roamer]);
      expect(await scopeRow(db, ID.xian, ID.roamer)).toMatchObject({
        reasons: 64,
        score: 15,
        active: true,
        due: true,
      });
      expect(await scopeRow(db, ID.xian, ID.regular)).toMatchObject({ reasons: 65, score: 1015 });
      expect(await scopeSize(db, ID.xian)).toBe(2);
      // Nothing waits: a settle is two index probes and no transaction.
      expect(await settleStoreScopes(db, 200_000)).toEqual({
        cursor: null,
        stores: [],
        quiet: [],
        more: false,
      });

      // The days run out: the roamer leaves with one out-of-scope tombstone; the regular stays.
      await expireAll(db);
      const expired = await settleStoreScopes(db, 200_000);
      expect(expired.stores).toEqual([ID.xian]);
      const second = await feedAfter(db, ID.xian, first.cursor);
      expect(second.ids).toEqual([`out:${ID.roamer}`]);
      expect(second.cursor).toBe(expired.cursor);
      expect(await scopeRow(db, ID.xian, ID.roamer)).toMatchObject({
        reasons: 0,
        active: false,
        due: false,
      });
      expect(await scopeRow(db, ID.xian, ID.regular)).toMatchObject({
        reasons: 1,
        score: 1000,
        active: true,
        due: false,
      });
      expect(await scopeSize(db, ID.xian)).toBe(1);
      expect(await settleStoreScopes(db, 200_000)).toEqual({
        cursor: null,
        stores: [],
        quiet: [],
        more: false,
      });
      expect((await feedAfter(db, ID.xian, second.cursor)).ids).toEqual([]);

      // Seen near the store again: back in, once.
      await seenOnline(db, ID.roamer, 3600);
      await settleStoreScopes(db, 200_000);
      expect((await feedAfter(db, ID.xian, second.cursor)).ids).toEqual([ID.roamer]);
    },
  );

  it(
    'a merge hands "online nearby" on with its expiry, not as a reason that never ends',
    { timeout: 60_000 },
    async () => {
      db = await openTestPglite();
      await migrate(db);
      await db.query(
        `insert into stores(id, name, timezone, lat, lng) values ($1, '西安', 'Asia/Shanghai', 34.34, 108.94)`,
        [ID.xian],
      );
      await db.query(
        `insert into customers(id, seq, name, member_code) values
           ($1, nextval('change_seq'), '重复', 'M3'), ($2, nextval('change_seq'), '留下', 'M4')`,
        [ID.twin, ID.survivor],
      );
      await seenOnline(db, ID.twin, 3600);
      await settleStoreScopes(db, 200_000);
      await db.transaction(async (tx) => {
        await tx.query('select pg_advisory_xact_lock(4600)');
        await tx.query(
          `update customers set merged_into = $1, deleted = true, seq = nextval('change_seq')
            where id = $2`,
          [ID.survivor, ID.twin],
        );
      });
      await settleStoreScopes(db, 200_000);
      expect(await scopeRow(db, ID.xian, ID.survivor)).toMatchObject({
        reasons: 64,
        active: true,
        due: true,
      });
      await expireAll(db);
      await settleStoreScopes(db, 200_000);
      expect(await scopeRow(db, ID.xian, ID.survivor)).toMatchObject({
        reasons: 0,
        active: false,
      });
      expect(await scopeSize(db, ID.xian)).toBe(0);
    },
  );
});
