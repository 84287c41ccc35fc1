import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  endpoints,
  type AlertUpdate,
  type CustomerFeedItem,
  type ItemResult,
  type Order,
} from '../../shared/protocol';
import { newId } from '../../shared/domain/ids';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { rawCall, routePath } from '../support/http';
import { callRoute } from '../support/api';
import { customerFeed, seedCrmCustomers, seedProducts, unique } from '../support/seed';
import type { HubProcess } from '../support/hub-process';
import { connectTerminal, nextEvent } from '../support/terminal-socket';

type ErrorReply = { error: { code: string; message: string; details?: unknown } };
type Line = { sku: string; quantity: number; unitPrice: number; discount?: number };

/** An order as a terminal of `store` would send it; `extra` overrides any field. */
function orderFor(store: StoreFixture, lines: Line[], extra: Record<string, unknown> = {}): Order {
  // An Order by type; `extra` may break it on purpose (the invalid-input test sends those raw).
  return {
    id: newId(),
    storeId: store.storeId,
    terminalId: store.terminals[0]!.id,
    guideId: store.guide.id,
    paymentMethod: 'wechat',
    createdAt: new Date().toISOString(),
    lines,
    ...extra,
  } as Order;
}

const postOrders = (hub: HubProcess, token: string, orders: Order[]) =>
  callRoute(hub, endpoints.postOrders, { body: { orders } }, { token });
/** Raw on purpose: bodies the schema refuses. */
const postRaw = (hub: HubProcess, token: string, body: unknown) =>
  rawCall<ErrorReply>(hub, 'POST', routePath(endpoints.postOrders), body, { token });

async function profileOf(hub: HubProcess, token: string, customerId: string) {
  return (await customerFeed(hub, token)).find((p) => p.id === customerId)!;
}

describeOnBackends('orders', (backend) => {
  let hub: HubProcess;
  let store: StoreFixture;
  let other: StoreFixture;
  let token: string;
  let customers: string[];
  const dress = { sku: `SKU-DRESS-${unique()}`, price: 59_900 };
  const scarf = { sku: `SKU-SCARF-${unique()}`, price: 12_900 };

  beforeAll(async () => {
    hub = await backend.startHub();
    store = await createStoreFixture(hub);
    other = await createStoreFixture(hub);
    token = store.terminals[0]!.token;
    await seedProducts(hub, [dress, scarf]);
    customers = await seedCrmCustomers(hub, token, 6, 'O');
  });
  afterAll(() => backend.cleanup());

  /** Orders this terminal stored, seen by head office through the customer's in-store summary. */
  const storeOrdersOf = async (customerId: string) =>
    (await profileOf(hub, token, customerId)).inStore;

  it('refuses uploads without a valid terminal token', async () => {
    const order = orderFor(store, [{ sku: dress.sku, quantity: 1, unitPrice: dress.price }]);
    expect(
      (await rawCall(hub, 'POST', routePath(endpoints.postOrders), { orders: [order] })).status,
    ).toBe(401);
    expect((await postOrders(hub, 'sgt_not-a-token', [order])).status).toBe(401);
    // The refused order was not stored: it is accepted when sent properly.
    expect((await postOrders(hub, token, [order])).body.results[0]!.status).toBe('accepted');
  });

  it("accepts an order, computes its total in fen and adds it to the customer's summary", async () => {
    const customerId = customers[0]!;
    const order = orderFor(
      store,
      [
        { sku: dress.sku, quantity: 2, unitPrice: dress.price, discount: 10_000 },
        { sku: scarf.sku, quantity: 1, unitPrice: scarf.price },
      ],
      { customerId, paymentMethod: 'alipay' },
    );
    const r = await postOrders(hub, token, [order]);
    expect(r).toEqual({ status: 200, body: { results: [{ id: order.id, status: 'accepted' }] } });

    const inStore = await storeOrdersOf(customerId);
    // 2 × 599.00 − 100.00 + 129.00 = 1,227.00 yuan
    expect(inStore.storeOrders).toBe(1);
    expect(inStore.storeSpend).toBe(122_700);
    expect(inStore.lastPurchases).toEqual([
      {
        orderId: order.id,
        storeId: store.storeId,
        channel: 'store',
        at: order.createdAt,
        total: 122_700,
        items: [
          { sku: dress.sku, name: `商品 ${dress.sku}`, quantity: 2 },
          { sku: scarf.sku, name: `商品 ${scarf.sku}`, quantity: 1 },
        ],
      },
    ]);
  });

  it('keeps the newest purchases first in the customer summary', async () => {
    const customerId = customers[1]!;
    const at = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    const older = orderFor(store, [{ sku: scarf.sku, quantity: 1, unitPrice: 100 }], {
      customerId,
      createdAt: at(30),
    });
    const newer = orderFor(store, [{ sku: scarf.sku, quantity: 3, unitPrice: 100 }], {
      customerId,
      createdAt: at(5),
    });
    expect((await postOrders(hub, token, [newer])).body.results[0]!.status).toBe('accepted');
    // An order queued offline arrives later but is older: it goes after the newer one.
    expect((await postOrders(hub, token, [older])).body.results[0]!.status).toBe('accepted');
    const inStore = await storeOrdersOf(customerId);
    expect(inStore.storeOrders).toBe(2);
    expect(inStore.storeSpend).toBe(400);
    expect(inStore.lastPurchases.map((p) => p.orderId)).toEqual([newer.id, older.id]);
  });

  it('answers a resend with duplicate and stores the order once', async () => {
    const customerId = customers[2]!;
    const order = orderFor(store, [{ sku: dress.sku, quantity: 1, unitPrice: 50_000 }], {
      customerId,
    });
    expect((await postOrders(hub, token, [order])).body.results).toEqual([
      { id: order.id, status: 'accepted' },
    ]);
    expect((await postOrders(hub, token, [order])).body.results).toEqual([
      { id: order.id, status: 'duplicate' },
    ]);
    // The same id twice in one batch: one stored, the copy is a duplicate.
    const twice = orderFor(store, [{ sku: dress.sku, quantity: 1, unitPrice: 1_000 }], {
      customerId,
    });
    expect((await postOrders(hub, token, [twice, twice])).body.results).toEqual([
      { id: twice.id, status: 'accepted' },
      { id: twice.id, status: 'duplicate' },
    ]);
    const inStore = await storeOrdersOf(customerId);
    expect(inStore.storeOrders).toBe(2);
    expect(inStore.storeSpend).toBe(51_000);
  });

  it('stores an order sent concurrently in several requests exactly once', async () => {
    const customerId = customers[3]!;
    const batch = Array.from({ length: 20 }, () =>
      orderFor(store, [{ sku: scarf.sku, quantity: 1, unitPrice: 1_000 }], { customerId }),
    );
    const replies = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        postOrders(hub, store.terminals[0]!.token, i % 2 ? [...batch].reverse() : batch),
      ),
    );
    for (const r of replies) expect(r.status).toBe(200);
    for (const order of batch) {
      const statuses = replies.map(
        (r) => r.body.results.find((x: ItemResult) => x.id === order.id)!.status,
      );
      expect(statuses.filter((s) => s === 'accepted')).toHaveLength(1);
      expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(3);
    }
    const inStore = await storeOrdersOf(customerId);
    expect(inStore.storeOrders).toBe(20);
    expect(inStore.storeSpend).toBe(20_000);
  });

  it('stores walk-in orders sent concurrently in opposite orders exactly once', async () => {
    // No customer: these batches do not serialise on the customer feed, only on the ids.
    const batch = Array.from({ length: 50 }, () =>
      orderFor(store, [{ sku: scarf.sku, quantity: 1, unitPrice: 1_000 }]),
    );
    const replies = await Promise.all(
      [0, 1, 2, 3].map((i) => postOrders(hub, token, i % 2 ? [...batch].reverse() : batch)),
    );
    for (const r of replies) expect(r.status).toBe(200);
    for (const order of batch) {
      const statuses = replies.map(
        (r) => r.body.results.find((x: ItemResult) => x.id === order.id)!.status,
      );
      expect(statuses.filter((s) => s === 'accepted')).toHaveLength(1);
    }
    const again = await postOrders(hub, token, batch);
    expect(new Set(again.body.results.map((r) => r.status))).toEqual(new Set(['duplicate']));
  });

  it('stores an order sent with upper-case ids with its lines, under the canonical id', async () => {
    // Ids are lower-cased at the boundary: the hub used to compare the id as sent with the id
    // PostgreSQL returned, store the order without its lines and answer `duplicate`.
    const [customerId] = await seedCrmCustomers(hub, token, 1, 'U');
    const order = orderFor(store, [{ sku: dress.sku, quantity: 2, unitPrice: 1_000 }], {
      customerId: customerId!.toUpperCase(),
    });
    const upper = {
      ...order,
      id: order.id.toUpperCase(),
      storeId: order.storeId.toUpperCase(),
      terminalId: order.terminalId.toUpperCase(),
      guideId: order.guideId.toUpperCase(),
    };
    expect((await postOrders(hub, token, [upper])).body.results).toEqual([
      { id: order.id, status: 'accepted' },
    ]);
    const inStore = await storeOrdersOf(customerId!);
    expect(inStore.storeOrders).toBe(1);
    expect(inStore.storeSpend).toBe(2_000);
    expect(inStore.lastPurchases[0]!.items).toEqual([
      { sku: dress.sku, name: `商品 ${dress.sku}`, quantity: 2 },
    ]);
    // The same order in lower case, or in upper case again, is the one already stored.
    for (const resend of [order, upper])
      expect((await postOrders(hub, token, [resend])).body.results[0]!.status).toBe('duplicate');
    expect((await storeOrdersOf(customerId!)).storeOrders).toBe(1);
  });

  it('rejects invalid input with 400 and writes nothing of the batch', async () => {
    const customerId = customers[4]!;
    const good = orderFor(store, [{ sku: dress.sku, quantity: 1, unitPrice: 100 }], {
      customerId,
    });
    const line = { sku: dress.sku, quantity: 1, unitPrice: 100 };
    const invalid: [string, unknown][] = [
      ['no lines', orderFor(store, [])],
      ['zero quantity', orderFor(store, [{ ...line, quantity: 0 }])],
      ['fractional quantity', orderFor(store, [{ ...line, quantity: 1.5 }])],
      ['negative price', orderFor(store, [{ ...line, unitPrice: -1 }])],
      ['fractional fen', orderFor(store, [{ ...line, unitPrice: 99.5 }])],
      ['discount over the line', orderFor(store, [{ ...line, discount: 101 }])],
      ['id not a UUID', orderFor(store, [line], { id: 'order-1' })],
      ['no guide', orderFor(store, [line], { guideId: undefined })],
      ['bad time', orderFor(store, [line], { createdAt: 'yesterday' })],
      ['unknown payment', orderFor(store, [line], { paymentMethod: 'bitcoin' })],
      ['empty SKU', orderFor(store, [{ ...line, sku: ' ' }])],
    ];
    for (const [why, bad] of invalid) {
      const r = await postRaw(hub, token, { orders: [good, bad] });
      expect(r.status, why).toBe(400);
      expect(r.body.error.code, why).toBe('invalid_input');
      expect(r.body.error.details, why).toBeInstanceOf(Array);
    }
    const envelopes: [string, unknown][] = [
      ['no orders', { orders: [] }],
      ['not a list', { orders: good }],
      ['no envelope', [good]],
      ['over 500', { orders: Array.from({ length: 501 }, () => ({ ...good, id: newId() })) }],
    ];
    for (const [why, body] of envelopes) {
      const r = await postRaw(hub, token, body);
      expect(r.status, why).toBe(400);
      expect(r.body.error.code, why).toBe('invalid_input');
    }
    const malformed = await rawCall<ErrorReply>(
      hub,
      'POST',
      routePath(endpoints.postOrders),
      '{"orders":[',
      {
        token,
      },
    );
    expect(malformed.status).toBe(400);

    // Nothing was written: the customer has no orders and the good order is still new.
    expect((await storeOrdersOf(customerId)).storeOrders).toBe(0);
    expect((await postOrders(hub, token, [good])).body.results[0]!.status).toBe('accepted');
  });

  it('rejects orders that break business rules, with a reason, and accepts the rest', async () => {
    const line = { sku: dress.sku, quantity: 1, unitPrice: 100 };
    const otherAlert = await callRoute(hub, endpoints.presence, {
      body: { customer: { customerId: customers[5]! }, storeId: other.storeId, source: 'wifi' },
    });
    expect(otherAlert.status).toBe(202);
    const cases: [RegExp, ReturnType<typeof orderFor>][] = [
      [
        /store/,
        orderFor(store, [line], { storeId: other.storeId, terminalId: other.terminals[0]!.id }),
      ],
      [/terminal/, orderFor(store, [line], { terminalId: store.terminals[1]!.id })],
      [/terminal/, orderFor(store, [line], { terminalId: other.terminals[0]!.id })],
      [/guide/, orderFor(store, [line], { guideId: other.guide.id })],
      [/guide/, orderFor(store, [line], { guideId: newId() })],
      [/unknown SKU: NO-SUCH-SKU/, orderFor(store, [line, { ...line, sku: 'NO-SUCH-SKU' }])],
      [/unknown customer/, orderFor(store, [line], { customerId: newId() })],
      [/alert/, orderFor(store, [line], { alertId: otherAlert.body.alertId })],
      [/alert/, orderFor(store, [line], { alertId: newId() })],
    ];
    const good = orderFor(store, [line]);
    const r = await postOrders(hub, token, [...cases.map(([, o]) => o), good]);
    expect(r.status).toBe(200);
    cases.forEach(([reason, order], i) => {
      const result = r.body.results[i]!;
      expect(result.id).toBe(order.id);
      expect(result.status).toBe('rejected');
      expect(result.reason).toMatch(reason);
    });
    expect(r.body.results.at(-1)).toEqual({ id: good.id, status: 'accepted' });
    // Rejected orders were not stored: sent again they are rejected again, not duplicates.
    const again = await postOrders(hub, token, [cases[0]![1]]);
    expect(again.body.results[0]!.status).toBe('rejected');
  });

  it('credits an order for a merged-away customer to the customer they were merged into', async () => {
    const [duplicate, survivor] = await seedCrmCustomers(hub, token, 2, 'O');
    const seen = await callRoute(hub, endpoints.presence, {
      body: { customer: { customerId: survivor! }, storeId: store.storeId, source: 'qr' },
    });
    expect(seen.status).toBe(202);
    const merged = await callRoute(hub, endpoints.mergeCustomers, {
      body: { sourceId: duplicate!, targetId: survivor! },
    });
    expect(merged.status).toBe(200);
    // The terminal still had the old id cached when it took the order offline.
    const order = orderFor(store, [{ sku: dress.sku, quantity: 1, unitPrice: 30_000 }], {
      customerId: duplicate,
    });
    expect((await postOrders(hub, token, [order])).body.results).toEqual([
      { id: order.id, status: 'accepted' },
    ]);
    const inStore = await storeOrdersOf(survivor!);
    expect(inStore.storeOrders).toBe(1);
    expect(inStore.storeSpend).toBe(30_000);
    expect(inStore.lastPurchases[0]!.orderId).toBe(order.id);
    const alerts = await callRoute(hub, endpoints.alerts, {}, { token });
    expect(alerts.body.items.find((a) => a.alertId === seen.body.alertId)!.status).toBe(
      'converted',
    );
  });

  it("books an order taken from an alert to that alert's customer", async () => {
    const [customerId] = await seedCrmCustomers(hub, token, 1, 'O');
    const seen = await callRoute(hub, endpoints.presence, {
      body: { customer: { customerId: customerId! }, storeId: store.storeId, source: 'app' },
    });
    const order = orderFor(store, [{ sku: scarf.sku, quantity: 2, unitPrice: scarf.price }], {
      alertId: seen.body.alertId,
    });
    expect((await postOrders(hub, token, [order])).body.results[0]!.status).toBe('accepted');
    const inStore = await storeOrdersOf(customerId!);
    expect(inStore.storeOrders).toBe(1);
    expect(inStore.storeSpend).toBe(25_800);
    const alerts = await callRoute(hub, endpoints.alerts, {}, { token });
    expect(alerts.body.items.find((a) => a.alertId === seen.body.alertId)!.status).toBe(
      'converted',
    );
  });

  it('converts the visit and alert the order came from and tells the store', async () => {
    const customerId = (await seedCrmCustomers(hub, token, 1, 'O'))[0]!;
    const seen = await callRoute(hub, endpoints.presence, {
      body: { customer: { customerId }, storeId: store.storeId, source: 'beacon' },
    });
    expect(seen.status).toBe(202);
    const socket = await connectTerminal(hub, token);
    const otherSocket = await connectTerminal(hub, other.terminals[0]!.token);
    const leaked: unknown[] = [];
    otherSocket.on('alert:updated', (u: unknown) => leaked.push(u));
    // The member is in this store's scope only: the other store's terminals do not cache her.
    const heardElsewhere: unknown[] = [];
    otherSocket.on('customers:changed', (u: unknown) => heardElsewhere.push(u));
    try {
      const ack = await socket.emitWithAck('alert:claim', {
        alertId: seen.body.alertId,
        guideId: store.guide2.id,
      });
      expect(ack).toEqual({ ok: true });

      const order = orderFor(store, [{ sku: dress.sku, quantity: 1, unitPrice: dress.price }], {
        customerId,
        alertId: seen.body.alertId,
        guideId: store.guide2.id,
      });
      const converted = nextEvent<AlertUpdate>(
        socket,
        'alert:updated',
        (u) => u.alertId === seen.body.alertId && u.status === 'converted',
      );
      // The order's hint: the first beyond the feed's head now. Hints are coalesced (≤ 1 per
      // 500 ms per node), so an earlier test's hint can still reach this new socket, with a cursor
      // this store's terminals have pulled past.
      const head = (
        await callRoute(
          hub,
          endpoints.syncCustomers,
          { query: { after: '0', limit: 5000, withTotal: false } },
          { token },
        )
      ).body.cursor;
      const changed = nextEvent<{ cursor: string }>(
        socket,
        'customers:changed',
        (u) => BigInt(u.cursor) > BigInt(head),
      );
      expect((await postOrders(hub, token, [order])).body.results[0]!.status).toBe('accepted');
      const update = await converted;
      expect(update).toMatchObject({
        alertId: seen.body.alertId,
        storeId: store.storeId,
        status: 'converted',
        claimedBy: { guideId: store.guide2.id, name: store.guide2.name },
        orderId: order.id,
        convertedAt: order.createdAt,
      });
      expect((await changed).cursor).toMatch(/^\d+$/);
      // The cursor lets a terminal pull exactly the changed profile.
      const pulled = await callRoute(
        hub,
        endpoints.syncCustomers,
        { query: { after: String(BigInt((await changed).cursor) - 1n) } },
        { token },
      );
      expect((pulled.body.items as CustomerFeedItem[]).map((c) => c.id)).toEqual([customerId]);

      // A second order the same day does not move the credit: the first order converted it.
      const second = orderFor(store, [{ sku: scarf.sku, quantity: 1, unitPrice: scarf.price }], {
        customerId,
      });
      const firstCursor = BigInt((await changed).cursor);
      const changedAgain = nextEvent<{ cursor: string }>(
        socket,
        'customers:changed',
        (u) => BigInt(u.cursor) > firstCursor,
      );
      expect((await postOrders(hub, token, [second])).body.results[0]!.status).toBe('accepted');
      // The store heard of both orders; by then the other store would have heard of the first.
      await changedAgain;
      expect(heardElsewhere).toEqual([]);
      const alerts = await callRoute(hub, endpoints.alerts, {}, { token });
      const alert = alerts.body.items.find((a) => a.alertId === seen.body.alertId)!;
      expect(alert.status).toBe('converted');
      expect(alert.claimedBy).toEqual({ guideId: store.guide2.id, name: store.guide2.name });
      expect(alert.convertedAt).toBe(order.createdAt);
      expect(leaked).toEqual([]);
    } finally {
      socket.disconnect();
      otherSocket.disconnect();
    }
  });

  it("converts a same-day visit when the order names no alert, but not another day's", async () => {
    const [today, yesterday] = await seedCrmCustomers(hub, token, 2, 'O');
    const visit = (customerId: string, at?: string) =>
      callRoute(hub, endpoints.presence, {
        body: {
          customer: { customerId },
          storeId: store.storeId,
          source: 'wifi',
          ...(at ? { at } : {}),
        },
      });
    const a = await visit(today!);
    const b = await visit(yesterday!, new Date(Date.now() - 30 * 3_600_000).toISOString());
    const socket = await connectTerminal(hub, token);
    try {
      const converted = nextEvent<AlertUpdate>(
        socket,
        'alert:updated',
        (u) => u.alertId === a.body.alertId && u.status === 'converted',
      );
      const r = await postOrders(hub, token, [
        orderFor(store, [{ sku: scarf.sku, quantity: 1, unitPrice: 100 }], { customerId: today }),
        orderFor(store, [{ sku: scarf.sku, quantity: 1, unitPrice: 100 }], {
          customerId: yesterday,
        }),
      ]);
      expect(r.body.results.map((x) => x.status)).toEqual(['accepted', 'accepted']);
      // Unclaimed: converted without a guide to credit.
      expect(await converted).toMatchObject({ status: 'converted', claimedBy: null });
      const alerts = await callRoute(
        hub,
        endpoints.alerts,
        { query: { since: new Date(Date.now() - 40 * 3_600_000).toISOString() } },
        { token },
      );
      const old = alerts.body.items.find((x) => x.alertId === b.body.alertId)!;
      expect(old.status).not.toBe('converted');
      expect(old.convertedAt).toBeNull();
    } finally {
      socket.disconnect();
    }
  });
});
