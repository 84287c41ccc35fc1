import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  endpoints,
  type EndpointDef,
  type CustomerFeedItem,
  type CustomerProfile,
} from '../../shared/protocol';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { callRoute, type HubAuth, type RouteInput } from '../support/api';
import type { HubProcess } from '../support/hub-process';

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

async function ok<E extends EndpointDef>(
  hub: HubProcess,
  endpoint: E,
  input: RouteInput<E>,
  auth?: HubAuth,
) {
  const r = await callRoute(hub, endpoint, input, auth);
  expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
  const { results } = r.body as { results?: { status: string; reason?: string }[] };
  for (const item of results ?? []) expect(item.status, item.reason).toBe('accepted');
  return r.body;
}

/** The hub's customer id for a member code, read the way a terminal would (its sync feed). */
async function customerIdOf(hub: HubProcess, store: StoreFixture, memberCode: string) {
  const r = await callRoute(
    hub,
    endpoints.syncCustomers,
    { query: { limit: 5000 } },
    { token: store.terminals[0]!.token },
  );
  const found = (r.body.items as CustomerFeedItem[]).find(
    (i): i is CustomerProfile => 'memberCode' in i && i.memberCode === memberCode,
  );
  if (!found) throw new Error(`customer ${memberCode} not in the feed`);
  return found.id;
}

async function arrivalIn(hub: HubProcess, store: StoreFixture, memberCode: string) {
  const r = await callRoute(hub, endpoints.presence, {
    body: { customer: { memberCode }, storeId: store.storeId, source: 'app' },
  });
  expect(r.status).toBe(202);
  const list = await callRoute(hub, endpoints.alerts, {}, { token: store.terminals[0]!.token });
  return list.body.items.find((a) => a.alertId === r.body.alertId)!;
}

describeOnBackends('the customer card on an arrival alert', (backend) => {
  let hub: HubProcess;
  let storeA: StoreFixture;
  let storeB: StoreFixture;
  beforeAll(async () => {
    hub = await backend.startHub();
    storeA = await createStoreFixture(hub);
    storeB = await createStoreFixture(hub);
    await ok(hub, endpoints.importProducts, {
      body: {
        products: [
          {
            sku: 'DRS-001-M',
            name: '真丝连衣裙',
            category: '连衣裙',
            price: 129_900,
            stock: { [storeA.storeId]: 3, [storeB.storeId]: 0 },
          },
          {
            sku: 'KNT-002-S',
            name: '羊绒针织衫',
            category: '针织衫',
            price: 89_900,
            stock: { [storeA.storeId]: 1 },
          },
          { sku: 'BAG-003', name: '托特包', category: '包', price: 45_000, stock: {} },
        ],
      },
    });
  });
  afterAll(() => backend.cleanup());

  it('shows what the customer looked at online with this store’s stock and price', async () => {
    await ok(hub, endpoints.importCustomers, {
      body: {
        customers: [
          {
            crmId: 'crm-card-1',
            name: '陈静',
            phone: '13912345678',
            memberCode: 'CARD0001',
            tier: 'diamond',
            sizes: { dress: 'M' },
            favouriteCategories: ['连衣裙'],
          },
        ],
      },
    });
    const who = { crmId: 'crm-card-1' };
    await ok(hub, endpoints.onlineEvents, {
      body: {
        events: [
          {
            id: 'ev-1',
            customer: who,
            type: 'viewed',
            sku: 'DRS-001-M',
            channel: 'app',
            at: minutesAgo(300),
            dwellSeconds: 95,
          },
          {
            id: 'ev-2',
            customer: who,
            type: 'viewed',
            sku: 'KNT-002-S',
            channel: 'wechat',
            at: minutesAgo(200),
          },
          {
            id: 'ev-3',
            customer: who,
            type: 'carted',
            sku: 'DRS-001-M',
            channel: 'app',
            at: minutesAgo(100),
          },
          {
            id: 'ev-4',
            customer: who,
            type: 'wishlisted',
            sku: 'BAG-003',
            channel: 'web',
            at: minutesAgo(90),
          },
          {
            id: 'ev-5',
            customer: who,
            type: 'ordered',
            channel: 'app',
            at: minutesAgo(80),
            amount: 25_000,
          },
        ],
      },
    });

    const inA = await arrivalIn(hub, storeA, 'CARD0001');
    expect(inA.card).toMatchObject({
      name: '陈静',
      tier: 'diamond',
      phoneLast4: '5678',
      sizes: { dress: 'M' },
      favouriteCategories: ['连衣裙'],
      lifetimeSpend: 25_000,
    });
    // Newest first, each with what this store has on hand.
    expect(inA.card.viewed.map((i) => [i.sku, i.stockHere, i.price])).toEqual([
      ['KNT-002-S', 1, 89_900],
      ['DRS-001-M', 3, 129_900],
    ]);
    expect(inA.card.viewed[1]).toMatchObject({ name: '真丝连衣裙', dwellSeconds: 95 });
    expect(inA.card.carted.map((i) => [i.sku, i.stockHere])).toEqual([['DRS-001-M', 3]]);
    expect(inA.card.wishlisted.map((i) => [i.sku, i.stockHere, i.price])).toEqual([
      ['BAG-003', 0, 45_000],
    ]);

    // The same customer in store B: B's stock, not A's.
    const inB = await arrivalIn(hub, storeB, 'CARD0001');
    expect(inB.card.viewed.map((i) => [i.sku, i.stockHere])).toEqual([
      ['KNT-002-S', 0],
      ['DRS-001-M', 0],
    ]);
  });

  it('lists in-store purchases and counts them in lifetime spend', async () => {
    await ok(hub, endpoints.importCustomers, {
      body: {
        // homed at A, whose feed carries her; she is then seen in B
        customers: [
          {
            crmId: 'crm-card-2',
            name: '刘洋',
            memberCode: 'CARD0002',
            homeStoreId: storeA.storeId,
          },
        ],
      },
    });
    const customerId = await customerIdOf(hub, storeA, 'CARD0002');
    const orderId = randomUUID();
    await ok(
      hub,
      endpoints.postOrders,
      {
        body: {
          orders: [
            {
              id: orderId,
              storeId: storeA.storeId,
              terminalId: storeA.terminals[0]!.id,
              guideId: storeA.guide.id,
              customerId,
              paymentMethod: 'wechat',
              createdAt: minutesAgo(60 * 24 * 3),
              lines: [{ sku: 'KNT-002-S', quantity: 1, unitPrice: 89_900, discount: 9_900 }],
            },
          ],
        },
      },
      { token: storeA.terminals[0]!.token },
    );
    const alert = await arrivalIn(hub, storeB, 'CARD0002');
    expect(alert.card.lifetimeSpend).toBe(80_000);
    expect(alert.card.lastPurchases).toHaveLength(1);
    expect(alert.card.lastPurchases[0]).toMatchObject({
      orderId,
      storeId: storeA.storeId,
      total: 80_000,
      items: [expect.objectContaining({ sku: 'KNT-002-S', quantity: 1 })],
    });
  });

  it('recognises a merged-away member as the surviving customer', async () => {
    await ok(hub, endpoints.importCustomers, {
      body: {
        customers: [
          // both homed at A, whose feed carries them
          {
            crmId: 'crm-dup-old',
            name: '王磊',
            memberCode: 'CARD0003',
            phone: '13600001111',
            homeStoreId: storeA.storeId,
          },
          {
            crmId: 'crm-dup-new',
            name: '王磊',
            memberCode: 'CARD0004',
            tier: 'gold',
            homeStoreId: storeA.storeId,
          },
        ],
      },
    });
    const sourceId = await customerIdOf(hub, storeA, 'CARD0003');
    const targetId = await customerIdOf(hub, storeA, 'CARD0004');
    await ok(hub, endpoints.mergeCustomers, { body: { sourceId, targetId } });

    // Old QR card, the old record's id, or its phone number: all the surviving customer.
    const viaCode = await arrivalIn(hub, storeA, 'CARD0003');
    expect(viaCode.card).toMatchObject({ customerId: targetId, tier: 'gold' });
    const viaId = await callRoute(hub, endpoints.presence, {
      body: { customer: { customerId: sourceId }, storeId: storeA.storeId, source: 'app' },
    });
    const viaPhone = await callRoute(hub, endpoints.presence, {
      body: { customer: { phone: '136 0000 1111' }, storeId: storeA.storeId, source: 'wifi' },
    });
    // Same person, same visit: no second alert.
    expect(viaId.body).toEqual({ visitId: viaCode.visitId, alertId: viaCode.alertId });
    expect(viaPhone.body).toEqual({ visitId: viaCode.visitId, alertId: viaCode.alertId });
  });
});
