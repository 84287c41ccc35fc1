import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { settleStoreScopes } from '../customers/scope';
import { materializeAllFeedJson } from '../sync/feed-json';
import { storeCustomerFeedPage } from '../sync/scope-feed';
import type { Db } from './database';
import { migrate } from './migrate';
import { openTestPglite } from '../../test/support/pglite-template';
import { addScopeMember, scopeSize } from '../../test/support/scope-sql';

/**
 * Migration 030: an arrival's alert carries the member's profile to the store's terminals, so her
 * entry into the store's scope is "quiet" (the hub tells nobody to pull for it) — unless she
 * changed before it was numbered — and an erasure or merge while that entry still waits reaches
 * the store all the same.
 */
const ID = {
  a: '0190b000-0000-7000-8000-0000000030a1',
  b: '0190b000-0000-7000-8000-0000000030a2',
  walker: '0190b000-0000-7000-8000-0000000030b1',
  other: '0190b000-0000-7000-8000-0000000030b2',
  homed: '0190b000-0000-7000-8000-0000000030b3',
  twin: '0190b000-0000-7000-8000-0000000030b4',
  survivor: '0190b000-0000-7000-8000-0000000030b5',
};

type Row = { reasons: number; active: boolean; seq: string | null; profile_seq: string | null };
const scopeRow = async (db: Db, store: string, customer: string): Promise<Row | undefined> =>
  (
    await db.query<Row>(
      `select reasons, active, seq::text as seq, profile_seq::text as profile_seq
         from customer_store_scope where store_id = $1 and customer_id = $2`,
      [store, customer],
    )
  )[0];
const seqOf = async (db: Db, customer: string) =>
  (
    await db.query<{ seq: string }>('select seq::text as seq from customers where id = $1', [
      customer,
    ])
  )[0]!.seq;
/** The store's feed after 0: a profile as its id, a tombstone as `gone:<id>`. */
const feed = async (db: Db, store: string) => {
  const page = await storeCustomerFeedPage(db, store, { after: '0', limit: 100 });
  const items = JSON.parse(page.itemsJson.toString()) as { id: string; deleted?: true }[];
  return items.map((i) => (i.deleted ? `gone:${i.id}` : i.id));
};
/** A first sighting at the store's door, as the hub writes it: a visit and its alert. */
const arrive = async (db: Db, store: string, customer: string) => {
  const [row] = await db.query<{ opened: boolean; entering: boolean; profile: string | null }>(
    `select opened, entering, profile from presence_sighting(
       $1::uuid, $2::uuid, now(), 30, $3::uuid, 'wifi', $4::uuid,
       now() + interval '30 minutes', '{}'::jsonb)`,
    [store, customer, newId(), newId()],
  );
  return row!;
};
/** A change to a customer as the hub's writers make one: a new number under the feed lock. */
const change = (db: Db, customer: string, set = `name = name || '·'`) =>
  db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(4600)');
    await tx.query(`update customers set ${set}, seq = nextval('change_seq') where id = $1`, [
      customer,
    ]);
  });
const erase = (db: Db, customer: string) =>
  change(db, customer, 'deleted = true, feed_json = null, feed_json_seq = null');

describe('migration 030 (an arrival carries her profile)', () => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });
  const open = async () => {
    db = await openTestPglite();
    expect(await migrate(db)).toContain(30);
    await db.query(
      `insert into stores(id, name, timezone, lat, lng) values
         ($1, '上海', 'Asia/Shanghai', 31.23, 121.47), ($2, '北京', 'Asia/Shanghai', 39.9, 116.4)`,
      [ID.a, ID.b],
    );
    return db;
  };

  it(
    'the sighting answers the profile version it recorded; a store whose only news is such arrivals is quiet, any other entry makes it loud',
    { timeout: 60_000 },
    async () => {
      const db = await open();
      await addScopeMember(db, ID.walker, '路过');
      await addScopeMember(db, ID.other, '出差');
      await materializeAllFeedJson(db);
      await settleStoreScopes(db, 100);

      const walked = await arrive(db, ID.a, ID.walker);
      expect(walked).toMatchObject({ opened: true, entering: true });
      expect(JSON.parse(walked.profile!)).toMatchObject({
        id: ID.walker,
        seq: await seqOf(db, ID.walker),
        name: '路过',
      });
      expect(await scopeRow(db, ID.a, ID.walker)).toEqual({
        reasons: 12,
        active: true,
        seq: null,
        profile_seq: await seqOf(db, ID.walker),
      });
      await arrive(db, ID.b, ID.other);
      // Homed at B: no alert carried her profile there.
      await addScopeMember(db, ID.homed, '常客', ID.b);

      const round = await settleStoreScopes(db, 100);
      expect(round.stores).toEqual([ID.a, ID.b]);
      expect(round.quiet).toEqual([ID.a]);
      expect(await feed(db, ID.a)).toEqual([ID.walker]);
      expect((await feed(db, ID.b)).sort()).toEqual([ID.other, ID.homed].sort());
      expect(await scopeSize(db, ID.a)).toBe(1);
      expect(await scopeSize(db, ID.b)).toBe(2);
      // Numbered: the recorded version is cleared (a later entry without an alert is loud).
      expect((await scopeRow(db, ID.a, ID.walker))?.profile_seq).toBeNull();

      // Seen again on a later visit: in the scope already, nothing entering, nothing to number.
      await db.query(`update visits set last_seen_at = now() - interval '2 hours'`);
      expect(await arrive(db, ID.a, ID.walker)).toMatchObject({
        opened: true,
        entering: false,
        profile: null,
      });
      expect(await settleStoreScopes(db, 100)).toEqual({
        cursor: null,
        stores: [],
        quiet: [],
        more: false,
      });
    },
  );

  it(
    'a change before her entry is numbered makes the store loud; after it, her change moves her numbered row like any member',
    { timeout: 60_000 },
    async () => {
      const db = await open();
      await addScopeMember(db, ID.walker, '路过');
      await addScopeMember(db, ID.other, '出差');
      await settleStoreScopes(db, 100);
      await arrive(db, ID.a, ID.walker);
      await change(db, ID.walker);
      expect(await settleStoreScopes(db, 100)).toMatchObject({ stores: [ID.a], quiet: [] });

      await arrive(db, ID.a, ID.other);
      const quiet = await settleStoreScopes(db, 100);
      expect(quiet).toMatchObject({ stores: [ID.a], quiet: [ID.a] });
      await change(db, ID.other);
      // Her numbered row took the change's number: the change's hint is routed to store A
      // (`s.seq = c.seq`, server/customers/hint-stores.ts).
      expect((await scopeRow(db, ID.a, ID.other))?.seq).toBe(await seqOf(db, ID.other));
      expect(await feed(db, ID.a)).toEqual([ID.walker, ID.other]);
    },
  );

  it(
    'erased while her arrival entry waits: that store feed carries her tombstone; an entry no alert carried just never enters',
    { timeout: 60_000 },
    async () => {
      const db = await open();
      await addScopeMember(db, ID.walker, '要删除');
      await addScopeMember(db, ID.homed, '查过');
      await settleStoreScopes(db, 100);
      await arrive(db, ID.a, ID.walker);
      await db.query('select scope_enter($1, $2, 16)', [ID.a, ID.homed]);

      await erase(db, ID.walker);
      await erase(db, ID.homed);
      expect(await scopeRow(db, ID.a, ID.walker)).toEqual({
        reasons: 12,
        active: false,
        seq: await seqOf(db, ID.walker),
        profile_seq: null,
      });
      expect(await scopeRow(db, ID.a, ID.homed)).toMatchObject({ seq: null, active: false });
      // Never counted in the store's size, so nothing taken off it either.
      expect(await scopeSize(db, ID.a)).toBe(0);
      expect(await feed(db, ID.a)).toEqual([`gone:${ID.walker}`]);
      expect(await settleStoreScopes(db, 100)).toMatchObject({ cursor: null, stores: [] });
    },
  );

  it(
    'an arrival written just after her erasure: the settle numbers her tombstone there and tells the store',
    { timeout: 60_000 },
    async () => {
      const db = await open();
      await addScopeMember(db, ID.walker, '要删除');
      await settleStoreScopes(db, 100);
      // The sighting read her before the erasure and wrote its alert after it.
      await erase(db, ID.walker);
      expect(await arrive(db, ID.a, ID.walker)).toMatchObject({ entering: true, profile: null });

      const round = await settleStoreScopes(db, 100);
      expect(round).toMatchObject({ stores: [ID.a], quiet: [] });
      expect(await scopeRow(db, ID.a, ID.walker)).toEqual({
        reasons: 12,
        active: false,
        seq: round.cursor,
        profile_seq: null,
      });
      expect(await feed(db, ID.a)).toEqual([`gone:${ID.walker}`]);
      expect(await scopeSize(db, ID.a)).toBe(0);
    },
  );

  it(
    'merged away while her arrival entry waits: her merge tombstone there, and the survivor enters loud (no alert carried her)',
    { timeout: 60_000 },
    async () => {
      const db = await open();
      await addScopeMember(db, ID.twin, '重复');
      await addScopeMember(db, ID.survivor, '留下');
      await settleStoreScopes(db, 100);
      await arrive(db, ID.a, ID.twin);

      await change(db, ID.twin, `merged_into = '${ID.survivor}', deleted = true`);
      expect(await scopeRow(db, ID.a, ID.survivor)).toMatchObject({
        reasons: 12,
        seq: null,
        profile_seq: null,
      });
      const round = await settleStoreScopes(db, 100);
      expect(round).toMatchObject({ stores: [ID.a], quiet: [] });
      expect(await feed(db, ID.a)).toEqual([`gone:${ID.twin}`, ID.survivor]);
      expect(await scopeSize(db, ID.a)).toBe(1);
    },
  );
});
