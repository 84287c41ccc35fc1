import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 } from 'uuid';
import { newId } from '../../shared/domain/ids';
import type { Db, Queryable } from '../db/database';
import { openTestPglite } from '../../test/support/pglite-template';
import {
  alertsChangedWithin,
  createAlertCatchUp,
  listAlerts,
  listAlertsFor,
  uuidV7Floor,
} from './alerts';

/**
 * What a survivor re-sends after a peer's silent death (issue #17): the alerts of its sockets'
 * stores raised or changed within the blind window, against a real (embedded) database, rows
 * written directly. The hub's clock is a fixed instant (`NOW`); the database's own `now()` is the
 * real one — as in production, where a conversion counts by the order's `received_at`, stamped by
 * the database.
 */
const NOW = new Date('2026-03-10T04:00:00Z');
const WINDOW_MS = 20_000;
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const SEC = 1_000;
const MIN = 60_000;

const card = (customerId: string) =>
  JSON.stringify({
    customerId,
    name: '王芳',
    tier: 'gold',
    phoneLast4: '5678',
    sizes: {},
    favouriteCategories: [],
    viewed: [],
    carted: [],
    wishlisted: [],
    lastPurchases: [],
    lifetimeSpend: 0,
  });

describe('alert reads: catch-ups and what a dead node may not have published (PGlite)', () => {
  let db: Db;
  const [HERE, ALSO_HERE, ELSEWHERE] = [newId(), newId(), newId()];
  const GUIDE = newId();
  const TERMINAL = newId();

  /** An alert (and its visit) of `store`; returns its id. */
  const alert = async (
    store: string,
    o: {
      /** the sighting's time (`raised_at`) */
      raisedAgo: number;
      /** when the hub raised it (its UUIDv7 id's time); the sighting's time unless it came late */
      raisedByHubAgo?: number;
      lastSeenAgo?: number;
      status?: 'open' | 'claimed' | 'expired' | 'converted';
      claimedAgo?: number;
    },
  ) => {
    // The hub names an alert when it raises it: a UUIDv7 of its clock at that moment.
    const id = v7({ msecs: NOW.getTime() - (o.raisedByHubAgo ?? o.raisedAgo) });
    const [customer, visit] = [newId(), newId()];
    await db.query(
      `insert into customers(id, seq, name, member_code, home_store_id)
       values ($1, nextval('change_seq'), 'C', $2, $3)`,
      [customer, `M${customer.slice(-12)}`, store],
    );
    const raised = ago(o.raisedAgo);
    await db.query(
      `insert into visits(id, store_id, customer_id, source, started_at, last_seen_at, alert_id)
       values ($1, $2, $3, 'wifi', $4, $5, $6)`,
      [visit, store, customer, raised, ago(o.lastSeenAgo ?? o.raisedAgo), id],
    );
    await db.query(
      `insert into alerts(id, visit_id, store_id, customer_id, source, raised_at, expires_at,
                          status, claimed_by, claimed_at, card)
       values ($1, $2, $3, $4, 'wifi', $5, $5::timestamptz + interval '30 minutes', $6, $7, $8,
               $9::jsonb)`,
      [
        id,
        visit,
        store,
        customer,
        raised,
        o.status ?? 'open',
        o.claimedAgo === undefined ? null : GUIDE,
        o.claimedAgo === undefined ? null : ago(o.claimedAgo),
        card(customer),
      ],
    );
    return { id, customer, visit };
  };
  /** Converts the alert by an order made hours ago at the counter, received `receivedSql`. */
  const convert = async (a: { id: string; customer: string }, receivedSql: string) => {
    const order = newId();
    await db.query(
      `insert into orders(id, store_id, terminal_id, guide_id, customer_id, alert_id,
                          payment_method, created_at, received_at, total, units)
       values ($1, $2, $3, $4, $5, $6, 'wechat', $7, ${receivedSql}, 100, 1)`,
      [order, HERE, TERMINAL, GUIDE, a.customer, a.id, ago(3 * 60 * MIN)],
    );
    await db.query(
      `update alerts set status = 'converted', converted_at = $2, converted_order_id = $3
        where id = $1`,
      [a.id, ago(3 * 60 * MIN), order],
    );
  };

  beforeAll(async () => {
    db = await openTestPglite({ migrated: true });
    for (const store of [HERE, ALSO_HERE, ELSEWHERE])
      await db.query(
        `insert into stores(id, name, timezone, lat, lng) values ($1, 'S', 'Asia/Shanghai', 0, 0)`,
        [store],
      );
    await db.query(
      `insert into guides(id, store_id, name, role, pin_hash, active)
       values ($1, $2, '李娜', 'guide', 'x', true)`,
      [GUIDE, HERE],
    );
    await db.query(
      `insert into terminals(id, store_id, name, token_hash) values ($1, $2, 'T', 'a')`,
      [TERMINAL, HERE],
    );
  });
  afterAll(async () => {
    await db?.close();
  });

  it('re-sends what was raised, claimed, seen, expired or converted in the window, and nothing else', async () => {
    const want = new Map<string, string>();
    const raised = await alert(HERE, { raisedAgo: 5 * SEC });
    want.set(raised.id, 'raised in the window');
    const alsoHere = await alert(ALSO_HERE, { raisedAgo: 19 * SEC });
    want.set(alsoHere.id, 'raised in the window, the other store with sockets here');
    const claimed = await alert(HERE, {
      raisedAgo: 3 * MIN,
      status: 'claimed',
      claimedAgo: 3 * SEC,
    });
    want.set(claimed.id, 'claimed in the window');
    const seen = await alert(HERE, { raisedAgo: 10 * MIN, lastSeenAgo: 2 * SEC });
    want.set(seen.id, 'seen again in the window');
    const expired = await alert(HERE, { raisedAgo: 30 * MIN + 5 * SEC, status: 'expired' });
    // Expired 30 s ago, before the window — but the sweep (every 15 s by default) may have sent
    // it only just now.
    const sweptLate = await alert(HERE, { raisedAgo: 30 * MIN + 30 * SEC, status: 'expired' });
    want.set(sweptLate.id, 'expired just before the window, swept within it');
    want.set(expired.id, 'expired in the window');
    const converted = await alert(HERE, {
      raisedAgo: 20 * MIN,
      status: 'claimed',
      claimedAgo: 15 * MIN,
    });
    await convert(converted, 'now()');
    want.set(converted.id, 'converted by an order the database received just now');

    const skip = new Map<string, string>();
    skip.set((await alert(HERE, { raisedAgo: 2 * MIN })).id, 'raised before the window');
    // A sighting that came late (a buffered door counter, a source clock behind): raised by the
    // hub a moment ago although its own time is two minutes old.
    const late = await alert(HERE, { raisedAgo: 2 * MIN, raisedByHubAgo: 3 * SEC });
    want.set(late.id, 'raised in the window from a sighting that came late');
    skip.set((await alert(HERE, { raisedAgo: 21 * SEC })).id, 'just before the window');
    skip.set(
      (await alert(HERE, { raisedAgo: 5 * MIN, status: 'claimed', claimedAgo: 4 * MIN })).id,
      'claimed before the window',
    );
    skip.set(
      (await alert(HERE, { raisedAgo: 31 * MIN, status: 'expired' })).id,
      'expired before the window',
    );
    const convertedEarlier = await alert(HERE, { raisedAgo: 20 * MIN });
    await convert(convertedEarlier, "now() - interval '1 hour'");
    skip.set(convertedEarlier.id, 'converted by an order received an hour ago');
    skip.set(
      (await alert(HERE, { raisedAgo: 2 * 60 * MIN, lastSeenAgo: SEC })).id,
      'raised beyond a catch-up’s reach',
    );
    skip.set((await alert(ELSEWHERE, { raisedAgo: SEC })).id, 'a store with no socket here');
    const erased = await alert(HERE, { raisedAgo: SEC });
    await db.query(`insert into customer_erasures(customer_id, reason) values ($1, 'request')`, [
      erased.customer,
    ]);
    skip.set(erased.id, 'an erased customer');

    const resent = await alertsChangedWithin(db, [HERE, ALSO_HERE], WINDOW_MS, NOW);
    const ids = resent.map((a) => a.alertId);
    for (const [id, why] of want) expect(ids, why).toContain(id);
    for (const [id, why] of skip) expect(ids, why).not.toContain(id);
    expect(ids).toHaveLength(want.size);
    // The catch-up list's shape, with the current status and claim; oldest raised first.
    expect(resent.find((a) => a.alertId === claimed.id)).toMatchObject({
      storeId: HERE,
      status: 'claimed',
      claimedBy: { guideId: GUIDE, name: '李娜' },
      card: { name: '王芳' },
    });
    expect(resent.map((a) => a.at)).toEqual(resent.map((a) => a.at).sort());
  });

  it('uuidV7Floor sorts at or below every v7 id of its millisecond and above those before', () => {
    const ms = NOW.getTime();
    const floor = uuidV7Floor(ms);
    for (let i = 0; i < 50; i++) {
      expect(v7({ msecs: ms }) >= floor).toBe(true);
      expect(v7({ msecs: ms + 1 + i }) >= floor).toBe(true);
      expect(v7({ msecs: ms - 1 - i }) < floor).toBe(true);
    }
  });

  it('asks nothing for no stores', async () => {
    expect(await alertsChangedWithin(db, [], WINDOW_MS, NOW)).toEqual([]);
  });
  /** A store of its own for one test. */
  const newStore = async () => {
    const id = newId();
    await db.query(
      `insert into stores(id, name, timezone, lat, lng) values ($1, 'S', 'Asia/Shanghai', 0, 0)`,
      [id],
    );
    return id;
  };
  const idsOf = (alerts: { alertId: string }[]) => alerts.map((a) => a.alertId);

  it('listAlertsFor answers each catch-up as it alone would: its store, its since, newest first, its own limit', async () => {
    const [A, B, EMPTY] = [await newStore(), await newStore(), await newStore()];
    const a1 = await alert(A, { raisedAgo: 40 * MIN });
    const a2 = await alert(A, { raisedAgo: 20 * MIN });
    const a3 = await alert(A, { raisedAgo: 1 * MIN, status: 'claimed', claimedAgo: 30 * SEC });
    const b1 = await alert(B, { raisedAgo: 10 * MIN });
    const erased = await alert(B, { raisedAgo: 5 * MIN });
    await db.query(`insert into customer_erasures(customer_id, reason) values ($1, 'request')`, [
      erased.customer,
    ]);
    // One store with more alerts than a catch-up returns (1,000): its cut is its own, the other
    // requests in the statement still get all of theirs.
    const BIG = await newStore();
    await db.query(
      `with x as (select i, gen_random_uuid() as c, gen_random_uuid() as v, gen_random_uuid() as a
                    from generate_series(1, 1005) i),
            c as (insert into customers(id, seq, name, member_code, home_store_id)
                  select c, nextval('change_seq'), 'C', 'M' || a, $1 from x),
            v as (insert into visits(id, store_id, customer_id, source, started_at, last_seen_at,
                                     alert_id)
                  select v, $1, c, 'wifi', $2::timestamptz - make_interval(secs => i),
                         $2::timestamptz - make_interval(secs => i), a from x)
       insert into alerts(id, visit_id, store_id, customer_id, source, raised_at, expires_at, card)
       select a, v, $1, c, 'wifi', $2::timestamptz - make_interval(secs => i),
              $2::timestamptz + interval '30 minutes', $3::jsonb from x`,
      [BIG, NOW.toISOString(), card(newId())],
    );

    const lists = await listAlertsFor(db, [
      { storeId: A, since: ago(30 * MIN) },
      { storeId: BIG, since: ago(60 * MIN) },
      { storeId: B, since: ago(60 * MIN) },
      { storeId: A, since: ago(60 * MIN) },
      { storeId: EMPTY, since: ago(60 * MIN) },
      { storeId: A, since: ago(30 * SEC) },
    ]);
    expect(lists).toHaveLength(6);
    expect(idsOf(lists[0]!)).toEqual([a3.id, a2.id]);
    expect(lists[1]).toHaveLength(1000);
    // the newest 1,000 of BIG's 1,005 (raised 1 s … 1,005 s before NOW), newest first
    expect(lists[1]![0]!.at).toBe(ago(1 * SEC));
    expect(lists[1]![999]!.at).toBe(ago(1000 * SEC));
    expect(idsOf(lists[2]!)).toEqual([b1.id]);
    expect(idsOf(lists[3]!)).toEqual([a3.id, a2.id, a1.id]);
    expect(lists[4]).toEqual([]);
    expect(lists[5]).toEqual([]);
    // with the current status and claim, as the catch-up list always carried them
    expect(lists[0]![0]).toMatchObject({
      storeId: A,
      status: 'claimed',
      claimedBy: { guideId: GUIDE, name: '李娜' },
      card: { name: '王芳' },
    });
    // listAlerts is the same read for one request
    expect(await listAlerts(db, A, ago(30 * MIN))).toEqual(lists[0]);
    expect(await listAlertsFor(db, [])).toEqual([]);
  });

  it('createAlertCatchUp: a lone catch-up runs at once; a burst shares statements, each answered as alone', async () => {
    const stores = [await newStore(), await newStore(), await newStore()];
    for (const [i, store] of stores.entries())
      for (let k = 0; k <= i; k++) await alert(store, { raisedAgo: (k + 1) * MIN });
    let statements = 0;
    const counted: Queryable = {
      query: (sql, params) => {
        statements += 1;
        return db.query(sql, params);
      },
    };
    const catchUp = createAlertCatchUp(counted, { batch: 20, inFlight: 2 });

    // Quiet node: one catch-up, one statement, answered without waiting for company.
    expect(idsOf(await catchUp.list(stores[2]!, ago(60 * MIN)))).toHaveLength(3);
    expect(statements).toBe(1);

    // 50 at once (a failover's reconnects): two go at once, the 48 that wait behind them go in
    // batches of at most 20 — 5 statements, not 50.
    statements = 0;
    const requests = Array.from({ length: 50 }, (_, i) => ({
      storeId: stores[i % 3]!,
      since: ago((i % 2 === 0 ? 60 : 90) * SEC + (i % 3) * MIN),
    }));
    const answers = await Promise.all(requests.map((r) => catchUp.list(r.storeId, r.since)));
    expect(statements).toBe(2 + Math.ceil(48 / 20));
    for (const [i, r] of requests.entries())
      expect(answers[i], `request ${i}`).toEqual(await listAlerts(db, r.storeId, r.since));
    expect(answers.some((a) => a.length > 0)).toBe(true);
  });

  it('createAlertCatchUp: a failed statement fails the catch-ups it carried, not those after it', async () => {
    const store = await newStore();
    await alert(store, { raisedAgo: MIN });
    let calls = 0;
    const flaky: Queryable = {
      query: (sql, params) => {
        calls += 1;
        // the second statement (the batch waiting behind the first) fails
        if (calls === 2) return Promise.reject(new Error('connection terminated'));
        return db.query(sql, params);
      },
    };
    const catchUp = createAlertCatchUp(flaky, { batch: 3, inFlight: 1 });
    const settled = await Promise.allSettled(
      Array.from({ length: 7 }, () => catchUp.list(store, ago(60 * MIN))),
    );
    // statement 1: request 0 alone; statement 2 (fails): requests 1–3; statement 3: 4–6
    expect(settled.map((s) => s.status)).toEqual([
      'fulfilled',
      'rejected',
      'rejected',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    for (const s of settled)
      if (s.status === 'fulfilled') expect(s.value).toHaveLength(1);
      else expect(String(s.reason)).toContain('connection terminated');
    // and the node goes on answering
    expect(await catchUp.list(store, ago(60 * MIN))).toHaveLength(1);
  });
});
