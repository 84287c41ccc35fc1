import { newId } from '../../shared/domain/ids';
import { endpoints, type OnlineOrder } from '../../shared/protocol';
import { callRoute, hubApi, must } from './api';
import { createStoreFixture, type StoreFixture } from './fixtures';
import type { HubProcess } from './hub-process';
import { customerFeed, unique } from './seed';

/**
 * Two stores of a chain in two regions and two time zones, with figures worked out by hand, for
 * head office's chain KPIs and console (issue #15 item 6). The period is Mon 2026-11-16 … Tue
 * 2026-11-17 in each store's own days: Shanghai (UTC+8) from 11-15T16:00Z to 11-17T16:00Z, Berlin
 * (CET, UTC+1) from 11-15T23:00Z to 11-17T23:00Z. Every event near an edge says which side it is.
 *
 * 上海 (华东): footfall 100 + 60 (+ 7 a second before the period: out) = 160; walk-in orders 3 ×
 *   (2 × ¥100) on Monday and 1 × ¥500 on Tuesday, and member c1 recognised at 12:00 and buying
 *   1 × ¥50 at 12:30 on Monday (a converted visit; 李娜 sold it, so c1 is bound to her) → 5 orders,
 *   8 units, ¥1,150; conversion 5/160, ATV ¥230. Online: c1 buys ¥300 on Monday evening (credited
 *   to 李娜, bound guide) and gets ¥50 back on Tuesday → credited ¥250. One ¥100 piece of a
 *   Monday sale comes back on Tuesday at 11:00: refunds ¥100, net ¥1,050, returns rate 100/1,150.
 * Berlin (欧洲): footfall 10 at 11-16 00:30 local (the 15th in UTC: in) + 40 at 11-17 00:30
 *   local (in) + 9 at 11-18 00:30 local (out) = 50; an order of ¥800 at 11-16 00:30 local (in) and
 *   one of ¥999 at 11-18 00:10 local (out) → 1 order, ¥800; conversion 1/50. Online: c2 (home
 *   store Berlin) buys ¥120 at 11-17 23:00 local (in, store pool) and ¥70 at 11-18 00:30 (out).
 * Chain: footfall 210, 6 orders, 9 units, ¥1,950, conversion 6/210, ATV ¥325, credited ¥370,
 *   refunds ¥100, net ¥1,850, returns rate 100/1,950. (Revenue stays the sales of the period.)
 */
export const CHAIN_PERIOD = { from: '2026-11-16', to: '2026-11-17' } as const;

export type ChainFixture = { shanghai: StoreFixture; berlin: StoreFixture; tag: string };

export async function seedChainFixture(hub: HubProcess): Promise<ChainFixture> {
  const tag = unique();
  const admin = hubApi(hub);
  const shanghai = await createStoreFixture(hub, { name: `上海南京西路 ${tag}` });
  const berlin = await createStoreFixture(hub, {
    name: `Berlin Mitte ${tag}`,
    timezone: 'Europe/Berlin',
    lat: 52.52,
    lng: 13.405,
  });
  // Regions are set by updating the stores (the same id again), the way IT places a store.
  for (const [store, region, lat, lng] of [
    [shanghai, '华东', 31.2304, 121.4737],
    [berlin, '欧洲', 52.52, 13.405],
  ] as const)
    await must(
      admin.call(endpoints.adminCreateStore, {
        body: {
          id: store.storeId,
          name: store.name,
          timezone: store.timezone,
          lat,
          lng,
          geofenceRadiusM: 300,
          region,
        },
      }),
    );

  const sku = `SKU-CHAIN-${tag}`;
  await must(
    admin.call(endpoints.importProducts, {
      body: { products: [{ sku, name: '羊毛大衣', category: '外套', price: 10_000 }] },
    }),
  );
  const member = (key: string, homeStoreId: string) => ({
    crmId: `crm-chain-${key}-${tag}`,
    name: `顾客${key}`,
    memberCode: `MCH${key}${tag}`,
    homeStoreId,
  });
  await must(
    admin.call(endpoints.importCustomers, {
      body: { customers: [member('1', shanghai.storeId), member('2', berlin.storeId)] },
    }),
  );
  // Each member is read from her home store's feed: a store's terminals get only its own members.
  const idIn = async (store: StoreFixture, key: string) =>
    (await customerFeed(hub, store.terminals[0]!.token)).find(
      (p) => p.memberCode === `MCH${key}${tag}`,
    )!.id;
  const c1 = await idIn(shanghai, '1');
  const c2 = await idIn(berlin, '2');

  const footfall = async (storeId: string, at: string, count: number) =>
    expectStatus(await callRoute(hub, endpoints.footfall, { body: { storeId, at, count } }), 202);
  await footfall(shanghai.storeId, '2026-11-16T03:00:00Z', 100);
  await footfall(shanghai.storeId, '2026-11-17T03:00:00Z', 60);
  await footfall(shanghai.storeId, '2026-11-15T15:59:59Z', 7);
  await footfall(berlin.storeId, '2026-11-15T23:30:00Z', 10);
  await footfall(berlin.storeId, '2026-11-16T23:30:00Z', 40);
  await footfall(berlin.storeId, '2026-11-17T23:30:00Z', 9);
  expectStatus(
    await callRoute(hub, endpoints.presence, {
      body: {
        customer: { customerId: c1 },
        storeId: shanghai.storeId,
        source: 'wifi',
        at: '2026-11-16T04:00:00Z',
      },
    }),
    202,
  );

  const orders = async (
    store: StoreFixture,
    specs: { at: string; guideId: string; qty: number; price: number; customerId?: string }[],
  ): Promise<string[]> => {
    const ids = specs.map(() => newId());
    const r = await callRoute(
      hub,
      endpoints.postOrders,
      {
        body: {
          orders: specs.map((o, i) => ({
            id: ids[i]!,
            storeId: store.storeId,
            terminalId: store.terminals[0]!.id,
            guideId: o.guideId,
            customerId: o.customerId,
            paymentMethod: 'wechat' as const,
            createdAt: o.at,
            lines: [{ sku, quantity: o.qty, unitPrice: o.price, discount: 0 }],
          })),
        },
      },
      { token: store.terminals[0]!.token },
    );
    expectStatus(r, 200);
    if (!r.body.results.every((x) => x.status === 'accepted'))
      throw new Error(`orders refused: ${JSON.stringify(r.body.results)}`);
    return ids;
  };
  const g = shanghai.guide.id;
  const [mondaySale] = await orders(shanghai, [
    { at: '2026-11-16T07:00:00Z', guideId: g, qty: 2, price: 10_000 },
    { at: '2026-11-16T07:00:00Z', guideId: g, qty: 2, price: 10_000 },
    { at: '2026-11-16T07:00:00Z', guideId: g, qty: 2, price: 10_000 },
    { at: '2026-11-17T07:00:00Z', guideId: g, qty: 1, price: 50_000 },
    {
      at: '2026-11-16T04:30:00Z',
      guideId: shanghai.guide2.id,
      qty: 1,
      price: 5_000,
      customerId: c1,
    },
  ]);
  // One of Monday's two ¥100 pieces comes back on Tuesday: the ¥100 refund counts on Tuesday.
  const returned = await callRoute(
    hub,
    endpoints.postReturns,
    {
      body: {
        returns: [
          {
            id: newId(),
            orderId: mondaySale!,
            storeId: shanghai.storeId,
            terminalId: shanghai.terminals[0]!.id,
            guideId: g,
            kind: 'return' as const,
            reason: 'size' as const,
            createdAt: '2026-11-17T03:00:00Z',
            lines: [{ lineNo: 1, quantity: 1 }],
          },
        ],
      },
    },
    { token: shanghai.terminals[0]!.token },
  );
  expectStatus(returned, 200);
  if (returned.body.results[0]?.status !== 'accepted')
    throw new Error(`return refused: ${JSON.stringify(returned.body.results)}`);
  await orders(berlin, [
    { at: '2026-11-15T23:30:00Z', guideId: berlin.guide.id, qty: 1, price: 80_000 },
    { at: '2026-11-17T23:10:00Z', guideId: berlin.guide.id, qty: 1, price: 99_900 },
  ]);

  const online = (name: string, customer: string, at: string, amount: number, refundOf?: string) =>
    ({
      id: `${name}-${tag}`,
      type: refundOf ? 'refund' : 'order',
      ...(refundOf ? { refundOf: `${refundOf}-${tag}` } : {}),
      customer: { customerId: customer },
      channel: 'wechat_mini',
      at,
      amount,
      lines: [{ sku, quantity: amount < 0 ? -1 : 1, unitPrice: Math.abs(amount) }],
    }) as OnlineOrder;
  const { results } = await must(
    admin.call(endpoints.postOnlineOrders, {
      body: {
        orders: [
          online('ON1', c1, '2026-11-16T10:00:00Z', 30_000),
          online('RF1', c1, '2026-11-17T02:00:00Z', -5_000, 'ON1'),
          online('ON2', c2, '2026-11-17T22:00:00Z', 12_000),
          online('ON3', c2, '2026-11-17T23:30:00Z', 7_000),
        ],
      },
    }),
  );
  if (!results.every((x) => x.status === 'accepted'))
    throw new Error(`online orders refused: ${JSON.stringify(results)}`);
  return { shanghai, berlin, tag };
}

function expectStatus(r: { status: number; body: unknown }, status: number): void {
  if (r.status !== status)
    throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
}
