import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import {
  endpoints,
  type CreditStatement,
  type OnlineOrder,
  type OnlineOrderResult,
  type StatementStore,
} from '../../shared/protocol';
import { openDatabase } from '../../server/db/database';
import { callRoute, hubApi, must } from '../support/api';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { routePath } from '../support/http';
import { TEST_ADMIN_KEY, type HubProcess } from '../support/hub-process';
import { runAdminCliHere } from '../support/run-cli';
import { customerFeed, unique } from '../support/seed';

/*
 * Credit for online sales (issue #15 item 2) and the benefit-sharing statement (item 6) against a
 * real hub, with hand-computed fixtures. Claimed visits and binding events are written straight
 * into the database at exact instants while the hub is stopped (a claim through the API happens
 * "now", and bindings have no API on this branch); orders, refunds, rules, explanations and the
 * statement go through the API. Every figure below is worked out by hand in the comments.
 */

const SKU = 'SKU-CREDIT-1';
const line = (amount: number) => [
  { sku: SKU, quantity: amount < 0 ? -1 : 1, unitPrice: Math.abs(amount) },
];

describeOnBackends('online-sale credit', (backend) => {
  let hub: HubProcess;
  let sh: StoreFixture;
  let ber: StoreFixture;
  /** a Berlin guide whose name is a formula (CSV injection) with quotes and a comma */
  let evil: { id: string; name: string };
  const c: Record<'a' | 'b' | 'n' | 'd' | 'h', string> = { a: '', b: '', n: '', d: '', h: '' };
  const ids = {
    visitA: newId(),
    alertA: newId(),
    visitD: newId(),
    alertD: newId(),
    bound: newId(),
    transferred: newId(),
    released: newId(),
  };
  const tag = unique();
  const oid = (name: string) => `${name}-${tag}`;
  const api = () => hubApi(hub);

  const order = (
    name: string,
    customer: string,
    at: string,
    amount: number,
    extra: Partial<OnlineOrder> = {},
  ): OnlineOrder => ({
    id: oid(name),
    type: 'order',
    customer: { customerId: customer },
    channel: 'wechat_mini',
    at,
    amount,
    lines: line(amount),
    ...extra,
  });
  const refund = (name: string, of: string, customer: string, at: string, amount: number) =>
    order(name, customer, at, amount, { type: 'refund', refundOf: oid(of), channel: 'app' });
  const post = async (...orders: OnlineOrder[]): Promise<OnlineOrderResult[]> =>
    (await must(api().call(endpoints.postOnlineOrders, { body: { orders } }), 'online orders'))
      .results;
  const explain = (name: string) =>
    must(api().call(endpoints.adminCreditExplain, { query: { orderId: oid(name) } }), 'explain');
  const statement = (from: string, to: string) =>
    must(api().call(endpoints.adminCreditStatement, { query: { from, to } }), 'statement');
  const storeOf = (s: CreditStatement, store: StoreFixture): StatementStore =>
    s.stores.find((x) => x.storeId === store.storeId)!;
  const lineOf = (s: StatementStore, guideId: string | null) =>
    s.lines.find((l) => l.guideId === guideId);

  beforeAll(async () => {
    hub = await backend.startHub();
    sh = await createStoreFixture(hub, { name: `上海 ${tag}`, timezone: 'Asia/Shanghai' });
    ber = await createStoreFixture(hub, {
      name: `@Berlin Mitte ${tag}`,
      timezone: 'Europe/Berlin',
      lat: 52.52,
      lng: 13.405,
    });
    const name = '=1+2 "Evil", Inc';
    const created = await must(
      api().call(endpoints.adminCreateGuide, {
        body: { storeId: ber.storeId, name, role: 'guide', pin: '602817' },
      }),
    );
    evil = { id: created.id, name };
    const crm = (key: string, homeStoreId?: string) => ({
      crmId: `crm-credit-${key}-${tag}`,
      name: `顾客${key}`,
      memberCode: `MC${key.toUpperCase()}${tag}`,
      ...(homeStoreId ? { homeStoreId } : {}),
    });
    await must(
      api().call(endpoints.importCustomers, {
        body: {
          customers: [
            crm('a', sh.storeId),
            crm('b', ber.storeId),
            crm('n'),
            crm('d', ber.storeId),
            crm('h', ber.storeId),
          ],
        },
      }),
    );

    // The evidence, at exact instants, straight into the database while no hub holds it.
    await hub.stop();
    const db = await openDatabase({ databaseUrl: hub.options.databaseUrl, dataDir: hub.dataDir });
    try {
      // The members' ids from the database: they are homed in two stores (n in none), and each
      // store's feed carries only its own members.
      for (const key of Object.keys(c) as (keyof typeof c)[]) {
        const [row] = await db.query<{ id: string }>(
          'select id from customers where member_code = $1',
          [`MC${key.toUpperCase()}${tag}`],
        );
        c[key] = row!.id;
      }
      const visit = async (
        v: string,
        a: string,
        store: string,
        customer: string,
        guide: string,
        startedAt: string,
        claimedAt: string,
      ) => {
        await db.query(
          `insert into visits(id, store_id, customer_id, source, started_at, last_seen_at, alert_id)
           values ($1, $2, $3, 'wifi', $4, $4, $5)`,
          [v, store, customer, startedAt, a],
        );
        await db.query(
          `insert into alerts(id, visit_id, store_id, customer_id, source, raised_at, expires_at,
                              status, claimed_by, claimed_at, card)
           values ($1, $2, $3, $4, 'wifi', $5, $5::timestamptz + interval '15 minutes',
                   'claimed', $6, $7, '{}'::jsonb)`,
          [a, v, store, customer, startedAt, guide, claimedAt],
        );
      };
      // A: Shanghai, 王芳 claims a visit on Tue 2026-03-03 15:00 local (07:00Z).
      await visit(
        ids.visitA,
        ids.alertA,
        sh.storeId,
        c.a,
        sh.guide.id,
        '2026-03-03T07:00:00Z',
        '2026-03-03T07:02:00Z',
      );
      // D: Berlin, 王芳 (Berlin) claims a visit on Mon 2026-03-23 10:00 CET (09:00Z).
      await visit(
        ids.visitD,
        ids.alertD,
        ber.storeId,
        c.d,
        ber.guide.id,
        '2026-03-23T09:00:00Z',
        '2026-03-23T09:01:00Z',
      );
      // B: bound to the evil guide, transferred to 李娜, released to the pool.
      const binding = (id: string, event: string, guide: string | null, at: string) =>
        db.query(
          `insert into customer_binding_events(id, customer_id, guide_id, store_id, event, rule, at, source)
           values ($1, $2, $3, $4, $5, 'test', $6, 'test')`,
          [id, c.b, guide, ber.storeId, event, at],
        );
      await binding(ids.bound, 'bound', evil.id, '2026-02-01T00:00:00Z');
      await binding(ids.transferred, 'transferred', ber.guide2.id, '2026-03-15T12:00:00Z');
      await binding(ids.released, 'released', null, '2026-04-01T00:00:00Z');
    } finally {
      await db.close();
    }
    hub = await backend.startHub({ dataDir: hub.dataDir, databaseUrl: hub.options.databaseUrl });
  }, 180_000);

  afterAll(async () => {
    const dataDir = hub?.dataDir;
    await backend.cleanup();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('claimed visit within 7 store-local days (inclusive start, exclusive end of the 7th day), then home store', async () => {
    // Visit 03-03 15:00 Shanghai → the window closes at 03-11 00:00 Shanghai = 03-10T16:00Z.
    const [inside, outside] = await post(
      order('A1', c.a, '2026-03-10T15:59:59Z', 10_000),
      order('A2', c.a, '2026-03-10T16:00:00Z', 20_000),
    );
    expect(inside).toEqual({
      id: oid('A1'),
      status: 'accepted',
      credit: { rule: 'claimed_visit', storeId: sh.storeId, guideId: sh.guide.id, amount: 10_000 },
    });
    expect(outside?.credit).toEqual({
      rule: 'home_store',
      storeId: sh.storeId,
      guideId: null,
      amount: 20_000,
    });
    const why = await explain('A1');
    expect(why.credits).toHaveLength(1);
    expect(why.credits[0]).toMatchObject({
      kind: 'sale',
      rule: 'claimed_visit',
      guideName: sh.guide.name,
      evidence: {
        visitId: ids.visitA,
        alertId: ids.alertA,
        windowEndsAt: '2026-03-10T16:00:00.000Z',
        timezone: 'Asia/Shanghai',
      },
    });
  });

  it('bound guide at the order time: before and at a transfer, after a release; nobody when nothing applies', async () => {
    const results = await post(
      order('B1', c.b, '2026-03-15T11:59:59Z', 30_000),
      order('B2', c.b, '2026-03-15T12:00:00Z', 40_000),
      order('B3', c.b, '2026-04-02T00:00:00Z', 5_000),
      order('N1', c.n, '2026-03-10T00:00:00Z', 7_000),
    );
    expect(results.map((r) => r.credit)).toEqual([
      { rule: 'bound_guide', storeId: ber.storeId, guideId: evil.id, amount: 30_000 },
      { rule: 'bound_guide', storeId: ber.storeId, guideId: ber.guide2.id, amount: 40_000 },
      { rule: 'home_store', storeId: ber.storeId, guideId: null, amount: 5_000 },
      { rule: 'none', storeId: null, guideId: null, amount: 7_000 },
    ]);
    expect((await explain('B2')).credits[0]!.evidence).toMatchObject({
      bindingEventId: ids.transferred,
      bindingEvent: 'transferred',
    });
    const none = await explain('N1');
    expect(none.credits[0]).toMatchObject({ rule: 'none', storeId: null, amount: 7_000 });
    expect(none.net).toBe(7_000);
  });

  it('the Berlin window across the spring DST change, store days then hours (set through the admin API)', async () => {
    // store_days: visit 03-23 10:00 CET → closes 03-31 00:00 CEST = 03-30T22:00Z.
    const days = await post(
      order('D1', c.d, '2026-03-30T21:59:59Z', 1_000),
      order('D2', c.d, '2026-03-30T22:00:00Z', 2_000),
    );
    expect(days.map((r) => r.credit?.rule)).toEqual(['claimed_visit', 'home_store']);
    expect(days[0]!.credit?.guideId).toBe(ber.guide.id);

    const hours = {
      chain: [
        { rule: 'claimed_visit' as const, windowDays: 7, measure: 'hours' as const },
        { rule: 'bound_guide' as const },
        { rule: 'home_store' as const },
      ],
    };
    expect(await must(api().call(endpoints.adminSetCreditRules, { body: hours }))).toEqual({
      rules: hours,
      isDefault: false,
    });
    // hours: exactly 168 h after 03-23T09:00Z = 03-30T09:00Z (11:00 CEST on the wall clock).
    const byHours = await post(
      order('D3', c.d, '2026-03-30T08:59:59Z', 3_000),
      order('D4', c.d, '2026-03-30T09:00:00Z', 4_000),
    );
    expect(byHours.map((r) => r.credit?.rule)).toEqual(['claimed_visit', 'home_store']);
    expect((await explain('D3')).credits[0]!.evidence).toMatchObject({
      windowEndsAt: '2026-03-30T09:00:00.000Z',
      chain: hours.chain,
    });
    // Credit already given stays as it was; the default chain back for the rest.
    const back = await must(
      api().call(endpoints.adminSetCreditRules, {
        body: {
          chain: [{ rule: 'claimed_visit' }, { rule: 'bound_guide' }, { rule: 'home_store' }],
        },
      }),
    );
    expect(back.rules.chain[0]).toEqual({
      rule: 'claimed_visit',
      windowDays: 7,
      measure: 'store_days',
    });
    expect((await explain('D1')).credits[0]!.rule).toBe('claimed_visit');
    // A malformed chain is refused, and the one in force stays.
    const bad = await callRoute(hub, endpoints.adminSetCreditRules, {
      body: { chain: [{ rule: 'bound_guide' }, { rule: 'bound_guide' }] },
    });
    expect(bad.status).toBe(400);
    expect((await must(api().call(endpoints.adminCreditRules))).rules).toEqual(back.rules);
  });

  it('refunds reverse the same store and guide, capped at zero; a refund before its order is parked, then applied', async () => {
    // B2 (40,000 to 李娜 by binding; B has since been released): refunds are never re-evaluated.
    const [partial, over, nothingLeft] = await post(
      refund('RB2a', 'B2', c.b, '2026-04-03T10:00:00Z', -15_000),
      refund('RB2b', 'B2', c.b, '2026-04-04T10:00:00Z', -30_000),
      refund('RB2c', 'B2', c.b, '2026-04-05T10:00:00Z', -100),
    );
    const to = { rule: 'bound_guide', storeId: ber.storeId, guideId: ber.guide2.id };
    expect(partial?.credit).toEqual({ ...to, amount: -15_000 });
    expect(over?.credit).toEqual({ ...to, amount: -25_000 }); // 40,000 − 15,000 left
    expect(nothingLeft?.credit).toEqual({ ...to, amount: 0 });
    const b2 = await explain('B2');
    expect(b2.net).toBe(0);
    expect(b2.credits.map((r) => [r.kind, r.amount])).toEqual([
      ['sale', 40_000],
      ['refund', -15_000],
      ['refund', -25_000],
      ['refund', 0],
    ]);
    expect(b2.credits[2]!.evidence).toMatchObject({ requested: -30_000, capped: true });

    // Full refund of A1 and a partial one of A2.
    const [full, part] = await post(
      refund('RA1', 'A1', c.a, '2026-03-12T00:00:00Z', -10_000),
      refund('RA2', 'A2', c.a, '2026-03-13T00:00:00Z', -5_000),
    );
    expect(full?.credit).toMatchObject({
      rule: 'claimed_visit',
      guideId: sh.guide.id,
      amount: -10_000,
    });
    expect(part?.credit).toMatchObject({ rule: 'home_store', guideId: null, amount: -5_000 });

    // The refund first: parked (and parked again when resent), credited once its order arrives.
    const early = refund('RP1', 'P1', c.a, '2026-03-20T00:00:00Z', -3_000);
    expect((await post(early))[0]).toMatchObject({
      status: 'parked',
      reason: expect.stringContaining(oid('P1')),
    });
    expect((await post(early))[0]).toMatchObject({ status: 'parked' });
    expect((await explain('RP1')).order.state).toBe('parked');
    const [p1] = await post(order('P1', c.a, '2026-03-05T00:00:00Z', 8_000));
    expect(p1?.credit).toMatchObject({
      rule: 'claimed_visit',
      guideId: sh.guide.id,
      amount: 8_000,
    });
    const why = await explain('P1');
    expect(why.refunds).toEqual([
      { id: oid('RP1'), at: '2026-03-20T00:00:00.000Z', amount: -3_000, state: 'credited' },
    ]);
    expect(why.net).toBe(5_000);
    // In one batch, the refund ahead of its order: both credited at once.
    const [rq, q] = await post(
      refund('RQ1', 'Q1', c.a, '2026-05-11T00:00:00Z', -700),
      order('Q1', c.a, '2026-05-10T00:00:00Z', 2_000),
    );
    expect(q?.credit).toEqual({
      rule: 'home_store',
      storeId: sh.storeId,
      guideId: null,
      amount: 2_000,
    });
    expect(rq).toEqual({
      id: oid('RQ1'),
      status: 'accepted',
      credit: { rule: 'home_store', storeId: sh.storeId, guideId: null, amount: -700 },
    });
    // A refund of a refund is refused with its reason.
    const [ofRefund] = await post(refund('RX', 'RA1', c.a, '2026-03-21T00:00:00Z', -1));
    expect(ofRefund).toMatchObject({
      status: 'rejected',
      reason: expect.stringContaining('is a refund'),
    });
  });

  it('idempotent by id: the same order again is a duplicate with the same credit; a different body is 409 and writes nothing', async () => {
    // The same order, its instant written in another offset and its keys in another order.
    const again = { ...order('A1', c.a, '2026-03-10T23:59:59+08:00', 10_000) };
    const reordered = Object.fromEntries(Object.entries(again).reverse()) as OnlineOrder;
    expect(await post(reordered)).toEqual([
      {
        id: oid('A1'),
        status: 'duplicate',
        credit: {
          rule: 'claimed_visit',
          storeId: sh.storeId,
          guideId: sh.guide.id,
          amount: 10_000,
        },
      },
    ]);
    const changed = await callRoute(hub, endpoints.postOnlineOrders, {
      body: {
        orders: [
          order('NEW1', c.a, '2026-03-11T00:00:00Z', 1),
          order('A1', c.a, '2026-03-10T15:59:59Z', 10_001),
        ],
      },
    });
    expect(changed.status).toBe(409);
    expect(changed.error?.code).toBe('conflict');
    expect(changed.error?.details).toEqual([
      { id: oid('A1'), message: expect.stringContaining('different body') },
    ]);
    const twice = await callRoute(hub, endpoints.postOnlineOrders, {
      body: {
        orders: [
          order('NEW1', c.a, '2026-03-11T00:00:00Z', 1),
          order('NEW1', c.a, '2026-03-11T00:00:00Z', 2),
        ],
      },
    });
    expect(twice.status).toBe(409);
    // Nothing of either batch was written.
    const missing = await callRoute(hub, endpoints.adminCreditExplain, {
      query: { orderId: oid('NEW1') },
    });
    expect(missing.status).toBe(404);
    // Unknown customers and future times are rejected with a reason, the rest of the batch goes on.
    const mixed = await post(
      order('U1', newId(), '2026-03-11T00:00:00Z', 1),
      order('F1', c.a, '2090-01-01T00:00:00Z', 1),
    );
    expect(mixed).toEqual([
      { id: oid('U1'), status: 'rejected', reason: 'unknown customer' },
      { id: oid('F1'), status: 'rejected', reason: '`at` is in the future' },
    ]);
  });

  it('the statement per store and guide over March–April, by hand', async () => {
    await post(
      // Berlin day edges around the spring change (03-29 has 23 hours: 03-28T23:00Z … 03-29T22:00Z).
      order('H1', c.h, '2026-03-28T22:59:59Z', 100), // 03-28 23:59:59 CET
      order('H2', c.h, '2026-03-28T23:00:00Z', 200), // 03-29 00:00 CET
      order('H3', c.h, '2026-03-29T21:59:59Z', 400), // 03-29 23:59:59 CEST
      order('H4', c.h, '2026-03-29T22:00:00Z', 800), // 03-30 00:00 CEST
      order('H5', c.h, '2026-10-25T22:30:00Z', 1_600), // 10-25 23:30 CET, the 25-hour day
    );
    const s = await statement('2026-03-01', '2026-04-30');
    const shanghai = storeOf(s, sh);
    expect(shanghai.periodStart).toBe('2026-02-28T16:00:00.000Z');
    expect(shanghai.periodEnd).toBe('2026-04-30T16:00:00.000Z');
    // 王芳: A1 10,000 + P1 8,000; refunds RA1 −10,000, RP1 −3,000.
    expect(lineOf(shanghai, sh.guide.id)).toEqual({
      guideId: sh.guide.id,
      guideName: sh.guide.name,
      sales: 2,
      salesAmount: 18_000,
      refunds: 2,
      refundsAmount: -13_000,
      net: 5_000,
      byRule: { claimed_visit: 5_000, bound_guide: 0, home_store: 0 },
    });
    // Store pool: A2 20,000, refund RA2 −5,000. N1 (nobody) is in no store.
    expect(lineOf(shanghai, null)).toMatchObject({
      sales: 1,
      salesAmount: 20_000,
      refunds: 1,
      refundsAmount: -5_000,
      net: 15_000,
    });
    expect(shanghai.lines).toHaveLength(2);

    const berlin = storeOf(s, ber);
    expect(berlin.periodStart).toBe('2026-02-28T23:00:00.000Z');
    expect(berlin.periodEnd).toBe('2026-04-30T22:00:00.000Z');
    expect(lineOf(berlin, evil.id)).toMatchObject({
      guideName: evil.name,
      sales: 1,
      salesAmount: 30_000,
      net: 30_000,
      byRule: { bound_guide: 30_000 },
    });
    // 李娜: B2 40,000 less 15,000 + 25,000 + 0 (three refunds) = 0.
    expect(lineOf(berlin, ber.guide2.id)).toMatchObject({
      sales: 1,
      salesAmount: 40_000,
      refunds: 3,
      refundsAmount: -40_000,
      net: 0,
    });
    // 王芳 (Berlin): D1 1,000 + D3 3,000 by claimed visit.
    expect(lineOf(berlin, ber.guide.id)).toMatchObject({
      sales: 2,
      salesAmount: 4_000,
      net: 4_000,
      byRule: { claimed_visit: 4_000 },
    });
    // Pool: B3 5,000, D2 2,000, D4 4,000, H1–H4 1,500 (H5 is October).
    expect(lineOf(berlin, null)).toMatchObject({
      sales: 7,
      salesAmount: 12_500,
      refunds: 0,
      net: 12_500,
      byRule: { home_store: 12_500 },
    });
    expect(berlin.total).toMatchObject({
      sales: 11,
      salesAmount: 86_500,
      refunds: 3,
      refundsAmount: -40_000,
      net: 46_500,
    });
    expect(s.total).toMatchObject({
      sales: 14,
      salesAmount: 124_500,
      refunds: 6,
      refundsAmount: -58_000,
      net: 66_500,
    });
  });

  it('store-local days at the DST changes: the 23-hour and the 25-hour day in Berlin', async () => {
    const spring = await statement('2026-03-29', '2026-03-29');
    const berlin = storeOf(spring, ber);
    expect([berlin.periodStart, berlin.periodEnd]).toEqual([
      '2026-03-28T23:00:00.000Z',
      '2026-03-29T22:00:00.000Z',
    ]);
    expect(berlin.lines).toEqual([
      expect.objectContaining({ guideId: null, sales: 2, salesAmount: 600 }),
    ]); // H2 + H3
    expect(storeOf(spring, sh).lines).toEqual([]);
    expect(lineOf(storeOf(await statement('2026-03-28', '2026-03-28'), ber), null)).toMatchObject({
      sales: 1,
      salesAmount: 100,
    });
    // 03-30: H4 800 and D4 4,000 in the pool, D1 1,000 and D3 3,000 to 王芳; D2 is 03-31 00:00.
    const monday = storeOf(await statement('2026-03-30', '2026-03-30'), ber);
    expect(lineOf(monday, null)).toMatchObject({ sales: 2, salesAmount: 4_800 });
    expect(lineOf(monday, ber.guide.id)).toMatchObject({ sales: 2, salesAmount: 4_000 });
    const autumn = storeOf(await statement('2026-10-25', '2026-10-25'), ber);
    expect([autumn.periodStart, autumn.periodEnd]).toEqual([
      '2026-10-24T22:00:00.000Z',
      '2026-10-25T23:00:00.000Z',
    ]);
    expect(autumn.total).toMatchObject({ sales: 1, salesAmount: 1_600 });
  });

  it('the CSV is Excel-safe: BOM, every cell quoted, formulas in names defused, numbers left alone', async () => {
    const csv = await must(
      api().call(endpoints.adminCreditStatementCsv, {
        query: { from: '2026-03-01', to: '2026-04-30' },
      }),
    );
    expect(csv.startsWith('\uFEFF"期间起 period_from","期间止 period_to","门店ID store_id"')).toBe(
      true,
    );
    const rows = csv.slice(1).split('\r\n');
    expect(rows.at(-1)).toBe(''); // ends with CRLF
    const store = `"'@Berlin Mitte ${tag}"`;
    expect(rows).toContain(
      `"2026-03-01","2026-04-30","${ber.storeId}",${store},"Europe/Berlin","${evil.id}","'=1+2 ""Evil"", Inc","1","300.00","0","0.00","300.00","0.00","300.00","0.00"`,
    );
    expect(rows).toContain(
      `"2026-03-01","2026-04-30","${ber.storeId}",${store},"Europe/Berlin","${ber.guide2.id}","${ber.guide2.name}","1","400.00","3","-400.00","0.00","0.00","0.00","0.00"`,
    );
    expect(rows).toContain(
      `"2026-03-01","2026-04-30","${sh.storeId}","上海 ${tag}","Asia/Shanghai","","门店公共 store pool","1","200.00","1","-50.00","150.00","0.00","0.00","150.00"`,
    );
    // header + 2 Shanghai lines + 4 Berlin lines + the final CRLF
    expect(rows).toHaveLength(8);
    // the raw bytes start with the UTF-8 BOM (EF BB BF)
    const raw = await fetch(
      `${hub.url}${routePath(endpoints.adminCreditStatementCsv, undefined, { from: '2026-03-01', to: '2026-03-31' })}`,
      { headers: { 'x-admin-key': TEST_ADMIN_KEY } },
    );
    expect(raw.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(raw.headers.get('content-disposition')).toContain(
      'credit-statement-2026-03-01-2026-03-31.csv',
    );
    expect([...new Uint8Array(await raw.arrayBuffer()).slice(0, 4)]).toEqual([
      0xef, 0xbb, 0xbf, 0x22,
    ]);
  });

  it('a merge moves online orders to the surviving customer; a later refund still reverses the original credit', async () => {
    const key = `m${tag}`;
    await must(
      api().call(endpoints.importCustomers, {
        body: {
          customers: [
            {
              crmId: `crm-credit-x-${key}`,
              name: 'X',
              memberCode: `MCX${key}`,
              homeStoreId: sh.storeId,
            },
            {
              crmId: `crm-credit-y-${key}`,
              name: 'Y',
              memberCode: `MCY${key}`,
              homeStoreId: ber.storeId,
            },
          ],
        },
      }),
    );
    const [x] = await post(
      order('M1', c.a, '2026-05-01T00:00:00Z', 900, { customer: { memberCode: `MCX${key}` } }),
    );
    expect(x?.credit).toMatchObject({ rule: 'home_store', storeId: sh.storeId });
    const source = (await explain('M1')).order.customerId;
    // Y is homed in Berlin: Berlin's feed carries her.
    const feed = await customerFeed(hub, ber.terminals[0]!.token);
    const target = feed.find((p) => p.memberCode === `MCY${key}`)!.id;
    await must(
      api().call(endpoints.mergeCustomers, { body: { sourceId: source, targetId: target } }),
    );
    expect((await explain('M1')).order.customerId).toBe(target);
    // The refund names the merged-away customer by id: it resolves to the survivor, and the
    // credit comes off the Shanghai pool the order was credited to, not the survivor's Berlin.
    const [r] = await post(refund('RM1', 'M1', source, '2026-05-02T00:00:00Z', -900));
    expect(r?.credit).toEqual({
      rule: 'home_store',
      storeId: sh.storeId,
      guideId: null,
      amount: -900,
    });
  });

  it('hub:admin explains an order and prints the statement as CSV against the running hub', async () => {
    const cli = (...args: string[]) =>
      runAdminCliHere([...args, '--url', hub.url], { HUB_ADMIN_KEY: TEST_ADMIN_KEY });
    const explained = await cli('credit-explain', '--order', oid('B2'), '--json');
    expect(explained.code).toBe(0);
    expect(JSON.parse(explained.stdout)).toMatchObject({ net: 0, order: { id: oid('B2') } });
    const text = await cli('credit-explain', '--order', oid('A1'));
    expect(text.stdout).toContain(`visitId":"${ids.visitA}`);
    const csv = await cli(
      'credit-statement',
      '--from',
      '2026-03-29',
      '--to',
      '2026-03-29',
      '--csv',
    );
    expect(csv.code).toBe(0);
    expect(csv.stdout).toContain(
      `"'@Berlin Mitte ${tag}","Europe/Berlin","","门店公共 store pool","2","6.00"`,
    );
    const unknown = await cli('credit-explain', '--order', 'no-such-order');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('not_found');
    // A chain with a rule twice is refused before the hub is asked (exit 2), the one in force stays.
    const bad = await cli(
      'set-credit-rules',
      '--rules',
      '{"chain":[{"rule":"home_store"},{"rule":"home_store"}]}',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('each rule at most once');
    const rules = await cli('credit-rules');
    expect(rules.code).toBe(0);
    expect(rules.stdout).toContain(
      "1. claimed_visit: a visit a guide claimed, within 7 store-local calendar days after the visit's day",
    );
  });
});
