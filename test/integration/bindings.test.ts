import { beforeEach, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { hashPin } from '../../shared/domain/pin-verifier';
import {
  DEFAULT_BINDING_RULES,
  type BindingRules,
  type CustomerProfile,
  type Order,
} from '../../shared/protocol';
import { setGuideActive } from '../../server/admin/service';
import { sweepLapsedBindings } from '../../server/bindings/routes';
import { loadBindingRules, saveBindingRules } from '../../server/bindings/rules';
import { boundGuideAt, currentBinding, recordContact } from '../../server/bindings/service';
import { transferBinding } from '../../server/bindings/transfer';
import type { HubContext } from '../../server/context';
import { ensurePhoneHashKey } from '../../server/customers/phone-key';
import { registerCustomer } from '../../server/customers/registration';
import type { Db } from '../../server/db/database';
import { migrate } from '../../server/db/migrate';
import { HubError } from '../../server/http/errors';
import { ingestOrders } from '../../server/orders/service';
import { claimAlert } from '../../server/presence/alerts';
import { nativeScrypt } from '../../server/staff/native-scrypt';
import { customerFeedPage, materializeAllFeedJson } from '../../server/sync/feed-json';
import { describeOnDatabases } from '../support/backends';

/**
 * The guide's own customers (server/bindings/, issue #15 item 1), in process on each database,
 * with hand-computed instants: the rules at registration, order ingest and claim, the expiry at
 * exactly N days and a day either side, the manager's transfer, the release on deactivation,
 * resends that must not bind twice, and the binding in the customer feed.
 */

const DAY = 86_400_000;
/** The fixtures' clock: the first contact of every scenario. */
const T0 = new Date('2026-03-01T10:00:00.000Z');
const at = (days: number, ms = 0) => new Date(T0.getTime() + days * DAY + ms);
const MANAGER_PIN = '604918';
const GUIDE_PIN = '731520';

type World = {
  db: Db;
  storeId: string;
  otherStoreId: string;
  terminalId: string;
  /** 李娜, 王芳, 陈静: guides; 赵敏: the manager; 周琳: a guide of the other store */
  li: string;
  wang: string;
  chen: string;
  manager: string;
  otherStoreGuide: string;
  sku: string;
};

async function setUp(db: Db): Promise<World> {
  await migrate(db);
  await ensurePhoneHashKey(db);
  const [storeId, otherStoreId, terminalId] = [newId(), newId(), newId()];
  for (const [id, name] of [
    [storeId, '上海静安店'],
    [otherStoreId, '杭州湖滨店'],
  ])
    await db.query(
      `insert into stores(id, name, timezone, lat, lng) values ($1, $2, 'Asia/Shanghai', 31.2, 121.4)`,
      [id, name],
    );
  await db.query(
    `insert into terminals(id, store_id, name, token_hash) values ($1, $2, 'counter', $3)`,
    [terminalId, storeId, `hash-${terminalId}`],
  );
  const managerHash = await hashPin(MANAGER_PIN, { scrypt: nativeScrypt });
  const guideHash = await hashPin(GUIDE_PIN, { scrypt: nativeScrypt });
  const guide = async (store: string, name: string, role: 'guide' | 'manager') => {
    const id = newId();
    await db.query(
      'insert into guides(id, store_id, name, role, pin_hash) values ($1, $2, $3, $4, $5)',
      [id, store, name, role, role === 'manager' ? managerHash : guideHash],
    );
    return id;
  };
  const world: World = {
    db,
    storeId,
    otherStoreId,
    terminalId,
    li: await guide(storeId, '李娜', 'guide'),
    wang: await guide(storeId, '王芳', 'guide'),
    chen: await guide(storeId, '陈静', 'guide'),
    manager: await guide(storeId, '赵敏', 'manager'),
    otherStoreGuide: await guide(otherStoreId, '周琳', 'guide'),
    sku: `SKU-B-${newId().slice(-8)}`,
  };
  const productId = newId();
  await db.query(
    `insert into products(id, sku, name, category, price) values ($1, $2, '羊毛大衣', '外套', 129900)`,
    [productId, world.sku],
  );
  await db.query(
    `insert into store_products(store_id, product_id, stock, seq) values ($1, $2, 5, nextval('change_seq'))`,
    [storeId, productId],
  );
  return world;
}

let memberNo = 0;
/** A member of the chain (home store: the fixtures' store), in the pool. */
async function customer(w: World): Promise<string> {
  const id = newId();
  memberNo += 1;
  await w.db.query(
    `insert into customers(id, seq, name, member_code, home_store_id)
     values ($1, nextval('change_seq'), $2, $3, $4)`,
    [id, `会员${memberNo}`, `MB${newId().slice(-12)}`, w.storeId],
  );
  return id;
}

function sale(w: World, customerId: string, guideId: string, when: Date, alertId?: string): Order {
  return {
    id: newId(),
    storeId: w.storeId,
    terminalId: w.terminalId,
    guideId,
    customerId,
    ...(alertId ? { alertId } : {}),
    paymentMethod: 'wechat',
    createdAt: when.toISOString(),
    lines: [{ sku: w.sku, quantity: 1, unitPrice: 129_900, discount: 0 }],
  };
}

const principal = (w: World) => ({ storeId: w.storeId, terminalId: w.terminalId, name: 'counter' });

async function events(w: World, customerId: string) {
  return w.db.query<{
    event: string;
    guide_id: string | null;
    rule: string | null;
    at: string;
    actor_guide_id: string | null;
    source: string;
  }>(
    `select event, guide_id::text as guide_id, rule,
            to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at,
            actor_guide_id::text as actor_guide_id, source
       from customer_binding_events where customer_id = $1 order by at, ordinal`,
    [customerId],
  );
}

/** A visit of the customer in the store at `when` with its arrival alert, open for 30 minutes. */
async function arrival(w: World, customerId: string, when: Date): Promise<string> {
  const [visitId, alertId] = [newId(), newId()];
  await w.db.query(
    `insert into visits(id, store_id, customer_id, source, started_at, last_seen_at, alert_id)
     values ($1, $2, $3, 'wifi', $4, $4, $5)`,
    [visitId, w.storeId, customerId, when.toISOString(), alertId],
  );
  await w.db.query(
    `insert into alerts(id, visit_id, store_id, customer_id, source, raised_at, expires_at, card)
     values ($1, $2, $3, $4, 'wifi', $5, $6, '{}'::jsonb)`,
    [
      alertId,
      visitId,
      w.storeId,
      customerId,
      when.toISOString(),
      new Date(Date.now() + DAY).toISOString(),
    ],
  );
  return alertId;
}

async function feedProfile(w: World, customerId: string): Promise<CustomerProfile> {
  const page = await customerFeedPage(w.db, { after: '0', limit: 100_000 });
  const items = JSON.parse(page.itemsJson.toString('utf8')) as CustomerProfile[];
  const item = items.find((i) => i.id === customerId);
  if (!item) throw new Error(`customer ${customerId} not in the feed`);
  return item;
}

async function withRules(w: World, rules: Partial<BindingRules>) {
  await saveBindingRules(w.db, { ...DEFAULT_BINDING_RULES, ...rules }, 'admin_cli');
}

function bindingSuite(w: World): void {
  beforeEach(async () => {
    // Each scenario counts only its own bindings (the trail stays: it is append-only).
    await w.db.query('delete from customer_bindings');
    await w.db.query('update guides set active = true');
    await withRules(w, { expiryDays: 30 });
  });

  it('a hub never configured applies the documented defaults; saved rules are audited', async () => {
    await w.db.query(`delete from settings where key = 'binding_rules'`);
    expect(await loadBindingRules(w.db)).toEqual({
      registeredBy: true,
      servedAndBought: 'claimer_else_seller',
      expiryDays: 180,
    });
    await withRules(w, { servedAndBought: 'seller', expiryDays: 45 });
    expect(await loadBindingRules(w.db)).toEqual({
      registeredBy: true,
      servedAndBought: 'seller',
      expiryDays: 45,
    });
    const [audit] = await w.db.query<{ n: number }>(
      `select count(*)::int as n from audit_log where action = 'binding_rules_saved' and source = 'admin_cli'`,
    );
    expect(audit!.n).toBeGreaterThanOrEqual(2);
  });

  it('registration binds the member to the guide who registered them, once, however often it is resent', async () => {
    const id = newId();
    const input = {
      id,
      name: '林小雨',
      phone: `138${String(Date.now()).slice(-8)}`,
      gender: 'female' as const,
      sizes: {},
      consentMarketing: false,
      guideId: w.li,
      createdAt: T0.toISOString(),
    };
    const first = await registerCustomer(w.db, principal(w), input, { lookupsPerHour: 20 });
    expect(first.status).toBe('created');
    expect(first.customer.binding).toEqual({
      guideId: w.li,
      guideName: '李娜',
      since: T0.toISOString(),
    });
    const again = await registerCustomer(w.db, principal(w), input, { lookupsPerHour: 20 });
    expect(again.customer.binding?.guideId).toBe(w.li);
    expect(await events(w, id)).toEqual([
      {
        event: 'bound',
        guide_id: w.li,
        rule: 'registered_by',
        at: T0.toISOString(),
        actor_guide_id: null,
        source: 'hub',
      },
    ]);
    // The cursor the hub announces is the binding's, so terminals pull the bound profile.
    expect(BigInt(first.cursor!)).toBe(BigInt((await feedProfile(w, id)).seq));

    await withRules(w, { registeredBy: false });
    const unbound = await registerCustomer(
      w.db,
      principal(w),
      { ...input, id: newId(), phone: `139${String(Date.now()).slice(-8)}` },
      { lookupsPerHour: 20 },
    );
    expect(unbound.customer.binding).toBeNull();
  });

  it('the first sale binds (seller rule); a resent order binds nothing twice; another guide never takes the customer', async () => {
    await withRules(w, { servedAndBought: 'seller', expiryDays: 30 });
    const c = await customer(w);
    const order = sale(w, c, w.wang, at(0));
    const first = await ingestOrders(w.db, principal(w), [order]);
    expect(first.results).toEqual([{ id: order.id, status: 'accepted' }]);
    // The outbox resends after a lost answer, alone and inside a later batch.
    const resent = await ingestOrders(w.db, principal(w), [order]);
    expect(resent.results).toEqual([{ id: order.id, status: 'duplicate' }]);
    await ingestOrders(w.db, principal(w), [order, order]);

    const byLi = sale(w, c, w.li, at(3));
    await ingestOrders(w.db, principal(w), [byLi]);
    expect(await events(w, c)).toEqual([
      {
        event: 'bound',
        guide_id: w.wang,
        rule: 'served_and_bought',
        at: T0.toISOString(),
        actor_guide_id: null,
        source: 'hub',
      },
    ]);
    const binding = await currentBinding(w.db, c, at(3));
    // 李娜's sale is no contact of 王芳's: the 30 days still run from T0.
    expect(binding).toMatchObject({
      guideId: w.wang,
      guideName: '王芳',
      rule: 'served_and_bought',
      boundAt: T0.toISOString(),
      lastContactAt: T0.toISOString(),
      expiresAt: at(30).toISOString(),
    });
    // 王芳 sells again on day 10: contact, so the binding now lapses on day 40.
    await ingestOrders(w.db, principal(w), [sale(w, c, w.wang, at(10))]);
    expect((await currentBinding(w.db, c, at(10)))?.expiresAt).toBe(at(40).toISOString());
    expect((await feedProfile(w, c)).binding).toEqual({
      guideId: w.wang,
      guideName: '王芳',
      since: T0.toISOString(),
    });
  });

  it('claimer_else_seller binds the guide who claimed the visit the order converted; a claim is contact', async () => {
    await withRules(w, { servedAndBought: 'claimer_else_seller', expiryDays: 30 });
    const c = await customer(w);
    const alertId = await arrival(w, c, new Date(Date.now() - 60_000));
    const ctx = { db: w.db } as HubContext;
    expect((await claimAlert(ctx, w.storeId, alertId, w.li)).ack).toEqual({ ok: true });
    // 王芳 rings the order up at the counter for the customer 李娜 served.
    const order = sale(w, c, w.wang, new Date(Date.now() - 30_000), alertId);
    await ingestOrders(w.db, principal(w), [order]);
    expect((await currentBinding(w.db, c))?.guideId).toBe(w.li);
    expect((await events(w, c)).map((e) => [e.event, e.guide_id, e.rule])).toEqual([
      ['bound', w.li, 'served_and_bought'],
    ]);

    // Without a claim the seller is bound.
    const walkIn = await customer(w);
    await ingestOrders(w.db, principal(w), [sale(w, walkIn, w.chen, at(0))]);
    expect((await currentBinding(w.db, walkIn, at(0)))?.guideId).toBe(w.chen);

    // A later claim by the bound guide keeps the binding alive from the claim on.
    const bound = await customer(w);
    await ingestOrders(w.db, principal(w), [sale(w, bound, w.li, new Date(Date.now() - DAY))]);
    const before = (await currentBinding(w.db, bound))!.lastContactAt;
    const again = await arrival(w, bound, new Date(Date.now() - 1000));
    await claimAlert(ctx, w.storeId, again, w.li);
    const after = (await currentBinding(w.db, bound))!.lastContactAt;
    expect(Date.parse(after) - Date.parse(before)).toBeGreaterThan(DAY - 60_000);
  });

  it('expires exactly N days after the last contact: kept a day before, released at the edge and a day after', async () => {
    await withRules(w, { servedAndBought: 'seller', expiryDays: 30 });
    const [dayBefore, edge, dayAfter] = [await customer(w), await customer(w), await customer(w)];
    for (const c of [dayBefore, edge, dayAfter])
      await ingestOrders(w.db, principal(w), [sale(w, c, w.li, at(0))]);
    // Last contacts: T0 for all three. Sweeps at day 29, at day 30 exactly and at day 31.
    expect((await sweepLapsedBindings(w.db, at(29))).expired).toBe(0);
    expect((await currentBinding(w.db, dayBefore, at(29)))?.guideId).toBe(w.li);
    expect((await currentBinding(w.db, edge, at(30, -1)))?.guideId).toBe(w.li);
    // Lapsed but not swept yet: the readers already count it as released.
    expect(await currentBinding(w.db, edge, at(30))).toBeNull();
    expect(await boundGuideAt(w.db, edge, at(30))).toBeNull();
    expect(await boundGuideAt(w.db, edge, at(30, -1))).toBe(w.li);

    // A contact on day 29 keeps `dayBefore` until day 59; one at the edge is too late for `edge`.
    expect(await recordContact(w.db, dayBefore, w.li, at(29))).toBe(true);
    expect(await recordContact(w.db, edge, w.li, at(30))).toBe(false);

    const swept = await sweepLapsedBindings(w.db, at(30));
    expect(swept.expired).toBe(2);
    expect(swept.cursor).not.toBeNull();
    expect(await currentBinding(w.db, edge, at(30))).toBeNull();
    expect(await currentBinding(w.db, dayAfter, at(31))).toBeNull();
    expect((await currentBinding(w.db, dayBefore, at(31)))?.expiresAt).toBe(at(59).toISOString());
    // The expired event is dated at the instant the binding lapsed, not when the sweep ran.
    for (const c of [edge, dayAfter])
      expect((await events(w, c)).map((e) => [e.event, e.guide_id, e.at, e.source])).toEqual([
        ['bound', w.li, T0.toISOString(), 'hub'],
        ['expired', null, at(30).toISOString(), 'sweep'],
      ]);
    expect((await sweepLapsedBindings(w.db, at(31))).expired).toBe(0);
    expect(await boundGuideAt(w.db, edge, at(-1))).toBeNull();
    expect(await boundGuideAt(w.db, edge, at(15))).toBe(w.li);
    expect(await boundGuideAt(w.db, dayAfter, at(31))).toBeNull();
    expect((await feedProfile(w, edge)).binding).toBeNull();

    // In the pool again: the next guide's sale binds them anew.
    await ingestOrders(w.db, principal(w), [sale(w, edge, w.chen, at(32))]);
    expect(await boundGuideAt(w.db, edge, at(32))).toBe(w.chen);
    expect(await boundGuideAt(w.db, edge, at(31))).toBeNull();
  });

  it('a sale after a lapse the sweep has not seen releases, then binds the new seller', async () => {
    await withRules(w, { servedAndBought: 'seller', expiryDays: 30 });
    const c = await customer(w);
    await ingestOrders(w.db, principal(w), [sale(w, c, w.li, at(0))]);
    await ingestOrders(w.db, principal(w), [sale(w, c, w.wang, at(45))]);
    expect((await events(w, c)).map((e) => [e.event, e.guide_id, e.at])).toEqual([
      ['bound', w.li, T0.toISOString()],
      ['expired', null, at(30).toISOString()],
      ['bound', w.wang, at(45).toISOString()],
    ]);
  });

  it('a sale at the very instant a binding lapses releases it; a millisecond before, it does not', async () => {
    await withRules(w, { servedAndBought: 'seller', expiryDays: 30 });
    const [kept, lapsed] = [await customer(w), await customer(w)];
    await ingestOrders(w.db, principal(w), [
      sale(w, kept, w.li, at(0)),
      sale(w, lapsed, w.li, at(0)),
    ]);
    const edge = at(30);
    await ingestOrders(w.db, principal(w), [
      sale(w, kept, w.wang, new Date(edge.getTime() - 1)),
      sale(w, lapsed, w.wang, edge),
    ]);
    expect((await events(w, kept)).map((e) => [e.event, e.guide_id])).toEqual([['bound', w.li]]);
    expect((await events(w, lapsed)).map((e) => [e.event, e.guide_id, e.at])).toEqual([
      ['bound', w.li, T0.toISOString()],
      ['expired', null, edge.toISOString()],
      ['bound', w.wang, edge.toISOString()],
    ]);
  });

  it('the manager transfers with their PIN, audited; a resend transfers once; wrong PIN, a guide, another store are refused', async () => {
    await withRules(w, { servedAndBought: 'seller', expiryDays: 30 });
    const c = await customer(w);
    await ingestOrders(w.db, principal(w), [sale(w, c, w.li, at(0))]);
    const site = { storeId: w.storeId, terminalId: w.terminalId };
    const request = {
      id: newId(),
      toGuideId: w.wang,
      managerId: w.manager,
      managerPin: MANAGER_PIN,
    };
    const now = at(5);

    await expect(
      transferBinding(w.db, site, c, { ...request, managerPin: '000000' }, now),
    ).rejects.toMatchObject({ status: 401, code: 'wrong_pin' });
    await expect(
      transferBinding(w.db, site, c, { ...request, managerId: w.chen, managerPin: GUIDE_PIN }, now),
    ).rejects.toMatchObject({ status: 403, code: 'forbidden' });
    await expect(
      transferBinding(w.db, site, c, { ...request, toGuideId: w.otherStoreGuide }, now),
    ).rejects.toMatchObject({ status: 400 });
    expect((await events(w, c)).length).toBe(1);

    const done = await transferBinding(w.db, site, c, request, now);
    expect(done).toMatchObject({
      status: 'transferred',
      binding: { guideId: w.wang, guideName: '王芳', since: now.toISOString() },
    });
    const resend = await transferBinding(w.db, site, c, request, at(5, 1000));
    expect(resend.status).toBe('duplicate');
    expect(resend.cursor).toBeNull();
    expect(
      (await events(w, c)).map((e) => [e.event, e.guide_id, e.actor_guide_id, e.source]),
    ).toEqual([
      ['bound', w.li, null, 'hub'],
      ['transferred', w.wang, w.manager, 'terminal'],
    ]);
    const audit = await w.db.query<{ guide_id: string; terminal_id: string; source: string }>(
      `select guide_id::text as guide_id, terminal_id::text as terminal_id, source from audit_log
          where action = 'binding_transferred' and customer_id = $1`,
      [c],
    );
    expect(audit).toEqual([{ guide_id: w.manager, terminal_id: w.terminalId, source: 'hub' }]);
    // The new guide's window starts at the transfer.
    expect((await currentBinding(w.db, c, now))?.expiresAt).toBe(at(35).toISOString());
    expect(await boundGuideAt(w.db, c, at(4))).toBe(w.li);
    expect(await boundGuideAt(w.db, c, at(6))).toBe(w.wang);
    expect((await feedProfile(w, c)).binding?.guideName).toBe('王芳');

    // A customer of another store's guide is that store's manager's to move.
    const theirs = await customer(w);
    await w.db.query(
      `insert into customer_bindings(customer_id, guide_id, store_id, rule, bound_at, last_contact_at)
         values ($1, $2, $3, 'registered_by', $4, $4)`,
      [theirs, w.otherStoreGuide, w.otherStoreId, at(4).toISOString()],
    );
    const refused = await transferBinding(
      w.db,
      site,
      theirs,
      { ...request, id: newId() },
      now,
    ).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HubError);
    expect((refused as HubError).status).toBe(403);
  });

  it('deactivating a guide releases their customers to the store pool in the same transaction, and only theirs', async () => {
    await withRules(w, { servedAndBought: 'seller', expiryDays: 30 });
    const [a, b, other] = [await customer(w), await customer(w), await customer(w)];
    await ingestOrders(w.db, principal(w), [
      sale(w, a, w.chen, at(0)),
      sale(w, b, w.chen, at(0, 1000)),
      sale(w, other, w.li, at(0)),
    ]);
    await materializeAllFeedJson(w.db);
    const seqBefore = (await feedProfile(w, a)).seq;
    const state = await setGuideActive(w.db, w.chen, false, 'admin_rest');
    expect(state).toMatchObject({ active: false, released: 2 });
    expect(BigInt(state.customersCursor!)).toBeGreaterThan(BigInt(seqBefore));
    for (const c of [a, b]) {
      expect(await currentBinding(w.db, c)).toBeNull();
      expect((await events(w, c)).map((e) => [e.event, e.guide_id, e.source])).toEqual([
        ['bound', w.chen, 'hub'],
        ['released', null, 'admin_rest'],
      ]);
      // The stored feed JSON is out of date with the new seq: the feed says "pool" at once.
      expect((await feedProfile(w, c)).binding).toBeNull();
    }
    expect((await currentBinding(w.db, other, at(1)))?.guideId).toBe(w.li);
    // Reactivation gives nothing back.
    expect((await setGuideActive(w.db, w.chen, true, 'admin_rest')).released).toBe(0);
    expect(await currentBinding(w.db, a)).toBeNull();
  });
}

describeOnDatabases('customer bindings, in process', setUp, bindingSuite);
