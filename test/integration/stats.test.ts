import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  endpoints,
  dayStats,
  rangeStats,
  type CustomerRef,
  type DayStats,
  type GuideStats,
  type HourStats,
} from '../../shared/protocol';
import { newId } from '../../shared/domain/ids';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { rawCall, routePath } from '../support/http';
import { callRoute } from '../support/api';
import { seedCrmCustomers, seedProducts, unique } from '../support/seed';
import type { HubProcess } from '../support/hub-process';
import { connectTerminal } from '../support/terminal-socket';

const SKU = `SKU-STATS-${unique()}`;

async function presence(hub: HubProcess, storeId: string, customer: object, at: string) {
  const r = await callRoute(hub, endpoints.presence, {
    body: { customer: customer as CustomerRef, storeId, source: 'wifi', at },
  });
  expect(r.status).toBe(202);
  return r.body;
}

async function footfall(hub: HubProcess, storeId: string, at: string, count: number) {
  const r = await callRoute(hub, endpoints.footfall, { body: { storeId, at, count } });
  expect(r.status).toBe(202);
}

/** One order of `quantity` × `unitPrice` fen (minus `discount`), taken on the store's first terminal. */
async function order(
  hub: HubProcess,
  store: StoreFixture,
  o: {
    at: string;
    guideId: string;
    quantity: number;
    unitPrice: number;
    discount?: number;
    customerId?: string;
  },
) {
  const r = await callRoute(
    hub,
    endpoints.postOrders,
    {
      body: {
        orders: [
          {
            id: newId(),
            storeId: store.storeId,
            terminalId: store.terminals[0]!.id,
            guideId: o.guideId,
            customerId: o.customerId,
            paymentMethod: 'wechat',
            createdAt: o.at,
            lines: [
              { sku: SKU, quantity: o.quantity, unitPrice: o.unitPrice, discount: o.discount ?? 0 },
            ],
          },
        ],
      },
    },
    { token: store.terminals[0]!.token },
  );
  expect(r.body.results[0]!.status).toBe('accepted');
}

type StatsQuery = { date?: string; from?: string; to?: string };
const getStats = async <T = DayStats>(
  hub: HubProcess,
  store: StoreFixture,
  query: StatsQuery,
  token?: string,
) => {
  const r = await callRoute(
    hub,
    endpoints.storeStats,
    { params: { storeId: store.storeId }, query },
    { token: token ?? store.terminals[0]!.token },
  );
  return { ...r, body: r.body as T };
};

const ZERO = {
  footfall: 0,
  recognizedVisits: 0,
  alerts: 0,
  claimedAlerts: 0,
  convertedVisits: 0,
  orders: 0,
  units: 0,
  revenue: 0,
};
const NO_RATIOS = {
  conversionRate: null,
  recognizedConversion: null,
  atv: null,
  upt: null,
  salesPerVisitor: null,
};

const guideNamed = (stats: { byGuide: GuideStats[] }, id: string) =>
  stats.byGuide.find((g) => g.guideId === id)!;

describeOnBackends('store statistics', (backend) => {
  let hub: HubProcess;
  let shanghai: StoreFixture;
  let berlin: StoreFixture;

  beforeAll(async () => {
    hub = await backend.startHub();
    shanghai = await createStoreFixture(hub, { timezone: 'Asia/Shanghai' });
    berlin = await createStoreFixture(hub, {
      name: 'Berlin Mitte',
      timezone: 'Europe/Berlin',
      lat: 52.52,
      lng: 13.405,
    });
    await seedProducts(hub, [{ sku: SKU, name: '针织衫', category: '针织衫', price: 10_000 }]);

    // Shanghai is UTC+8 all year: 2026-06-15 local is [2026-06-14T16:00Z, 2026-06-15T16:00Z).
    const [c1, c2, c3, c4] = await seedCrmCustomers(hub, shanghai.terminals[0]!.token, 4, 'S');
    const s = shanghai.storeId;
    await footfall(hub, s, '2026-06-14T15:59:00Z', 5); // 06-14 23:59 local
    await footfall(hub, s, '2026-06-14T16:01:00Z', 7); // 06-15 00:01, hour 0
    await footfall(hub, s, '2026-06-15T02:30:00Z', 20); // 10:30, hour 10
    await footfall(hub, s, '2026-06-15T15:59:00Z', 3); // 23:59, hour 23
    await footfall(hub, s, '2026-06-15T16:01:00Z', 100); // 06-16 00:01

    await presence(hub, s, { customerId: c1 }, '2026-06-14T15:59:00Z'); // 06-14 23:59
    await presence(hub, s, { customerId: c2 }, '2026-06-14T16:01:00Z'); // 00:01, hour 0
    await presence(hub, s, { customerId: c1 }, '2026-06-15T02:00:00Z'); // 10:00, hour 10
    await presence(hub, s, { memberCode: 'NOBODY-KNOWN' }, '2026-06-15T03:00:00Z'); // anonymous
    await presence(hub, s, { customerId: c3 }, '2026-06-15T06:10:00Z'); // 14:10, hour 14
    await presence(hub, s, { customerId: c4 }, '2026-06-15T16:01:00Z'); // 06-16 00:01

    const { guide, guide2 } = shanghai;
    // 06-14 23:59, no customer: 999.99 yuan on the day before.
    await order(hub, shanghai, {
      at: '2026-06-14T15:59:00Z',
      guideId: guide.id,
      quantity: 1,
      unitPrice: 99_999,
    });
    // 10:20, c1: converts c1's 10:00 visit (not the 23:59 one the day before). 2×100 − 10 yuan.
    await order(hub, shanghai, {
      at: '2026-06-15T02:20:00Z',
      guideId: guide.id,
      customerId: c1,
      quantity: 2,
      unitPrice: 10_000,
      discount: 1_000,
    });
    // 00:30, c2: converts the 00:01 visit; taken by guide2.
    await order(hub, shanghai, {
      at: '2026-06-14T16:30:00Z',
      guideId: guide2.id,
      customerId: c2,
      quantity: 1,
      unitPrice: 5_000,
    });
    // 23:59, no customer.
    await order(hub, shanghai, {
      at: '2026-06-15T15:59:00Z',
      guideId: guide.id,
      quantity: 3,
      unitPrice: 1_000,
    });
    // 06-16 00:05, c4: converts c4's visit on 06-16.
    await order(hub, shanghai, {
      at: '2026-06-15T16:05:00Z',
      guideId: guide2.id,
      customerId: c4,
      quantity: 1,
      unitPrice: 2_000,
    });

    // Berlin springs forward on 2026-03-29 (02:00 CET → 03:00 CEST): [03-28T23:00Z, 03-29T22:00Z).
    const b = berlin.storeId;
    await footfall(hub, b, '2026-03-28T22:59:00Z', 50); // 03-28 23:59 CET
    await footfall(hub, b, '2026-03-29T00:30:00Z', 4); // 01:30 CET, hour 1
    await footfall(hub, b, '2026-03-29T01:30:00Z', 6); // 03:30 CEST, hour 2
    await footfall(hub, b, '2026-03-29T21:59:00Z', 1); // 23:59 CEST, hour 22
    await footfall(hub, b, '2026-03-29T22:00:00Z', 50); // 03-30 00:00
    await order(hub, berlin, {
      at: '2026-03-29T01:15:00Z',
      guideId: berlin.guide.id,
      quantity: 1,
      unitPrice: 10_000,
    });
    // …and falls back on 2026-10-25 (03:00 CEST → 02:00 CET): [10-24T22:00Z, 10-25T23:00Z).
    await footfall(hub, b, '2026-10-25T00:30:00Z', 2); // 02:30 CEST, hour 2
    await footfall(hub, b, '2026-10-25T01:30:00Z', 3); // 02:30 CET, hour 3
    await footfall(hub, b, '2026-10-25T22:30:00Z', 8); // 23:30 CET, hour 24
  });
  afterAll(() => backend.cleanup());

  it('counts a store-local day from local midnight to local midnight (Asia/Shanghai)', async () => {
    const r = await getStats(hub, shanghai, { date: '2026-06-15' });
    expect(r.status).toBe(200);
    const stats = dayStats.parse(r.body);
    expect(stats).toMatchObject({
      storeId: shanghai.storeId,
      date: '2026-06-15',
      timezone: 'Asia/Shanghai',
      from: '2026-06-14T16:00:00.000Z',
      to: '2026-06-15T16:00:00.000Z',
      footfall: 30, // 7 + 20 + 3
      recognizedVisits: 3, // c2 00:01, c1 10:00, c3 14:10 (the anonymous sighting is not recognised)
      alerts: 3,
      claimedAlerts: 0,
      convertedVisits: 2, // c2 and c1
      orders: 3,
      units: 6, // 2 + 1 + 3
      revenue: 27_000, // 19,000 + 5,000 + 3,000
      conversionRate: 0.1, // 3 / 30
      recognizedConversion: 2 / 3,
      atv: 9_000, // 27,000 / 3
      upt: 2, // 6 / 3
      salesPerVisitor: 900, // 27,000 / 30
    });

    expect(stats.byHour).toHaveLength(24);
    expect(stats.byHour.map((h) => h.label)).toEqual(
      Array.from({ length: 24 }, (_, i) => `${String(i).padStart(2, '0')}:00`),
    );
    const hour = (i: number): HourStats => stats.byHour[i]!;
    expect(hour(0)).toEqual({
      index: 0,
      start: '2026-06-14T16:00:00.000Z',
      label: '00:00',
      ...ZERO,
      footfall: 7,
      recognizedVisits: 1,
      alerts: 1,
      convertedVisits: 1,
      orders: 1,
      units: 1,
      revenue: 5_000,
      conversionRate: 1 / 7,
      recognizedConversion: 1,
      atv: 5_000,
      upt: 1,
      salesPerVisitor: 714, // 5,000 / 7 rounded to whole fen
    });
    expect(hour(10)).toMatchObject({
      start: '2026-06-15T02:00:00.000Z',
      label: '10:00',
      footfall: 20,
      recognizedVisits: 1,
      convertedVisits: 1,
      orders: 1,
      units: 2,
      revenue: 19_000,
      conversionRate: 0.05,
      salesPerVisitor: 950,
    });
    expect(hour(11)).toMatchObject({ ...ZERO, ...NO_RATIOS }); // the anonymous sighting only
    expect(hour(14)).toMatchObject({
      ...ZERO,
      recognizedVisits: 1,
      alerts: 1,
      recognizedConversion: 0,
      conversionRate: null,
    });
    expect(hour(23)).toMatchObject({ ...ZERO, footfall: 3, orders: 1, units: 3, revenue: 3_000 });

    // Every guide is listed, in pinyin order; orders go to the guide who took them.
    expect(stats.byGuide.map((g) => g.name)).toEqual(['李娜', '王芳', '张伟']);
    expect(guideNamed(stats, shanghai.guide.id)).toEqual({
      guideId: shanghai.guide.id,
      name: '王芳',
      ...ZERO,
      orders: 2,
      units: 5,
      revenue: 22_000,
      ...NO_RATIOS,
      atv: 11_000,
      upt: 2.5,
      claimConversion: null,
      // Nothing came back (after-sale, #16): net = gross, returns rate 0.
      afterSale: { returns: 0, returnedUnits: 0, refunds: 0, netRevenue: 22_000, returnsRate: 0 },
    });
    expect(guideNamed(stats, shanghai.guide2.id)).toMatchObject({
      orders: 1,
      units: 1,
      revenue: 5_000,
      atv: 5_000,
      upt: 1,
    });
    expect(guideNamed(stats, shanghai.manager.id)).toEqual({
      guideId: shanghai.manager.id,
      name: '张伟',
      ...ZERO,
      ...NO_RATIOS,
      claimConversion: null,
      // No sales, no returns: no returns rate.
      afterSale: { returns: 0, returnedUnits: 0, refunds: 0, netRevenue: 0, returnsRate: null },
    });
  });

  it('puts 15:59Z and 16:01Z on different Shanghai days', async () => {
    const r = await getStats(hub, shanghai, { date: '2026-06-14' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      from: '2026-06-13T16:00:00.000Z',
      to: '2026-06-14T16:00:00.000Z',
      footfall: 5,
      recognizedVisits: 1, // c1 at 23:59
      alerts: 1,
      convertedVisits: 0, // c1 bought at 10:20 the next day: another day, another visit
      orders: 1,
      units: 1,
      revenue: 99_999,
    });
    expect(r.body.byHour[23]).toMatchObject({ label: '23:00', footfall: 5, orders: 1 });
  });

  it('answers a period with each day and totals recomputed over the sums', async () => {
    const r = await getStats<{
      from: string;
      to: string;
      days: DayStats[];
      total: Omit<DayStats, 'byHour'>;
    }>(hub, shanghai, { from: '2026-06-14', to: '2026-06-16' });
    expect(r.status).toBe(200);
    const range = rangeStats.parse(r.body);
    expect(range.days.map((d) => [d.date, d.footfall, d.orders])).toEqual([
      ['2026-06-14', 5, 1],
      ['2026-06-15', 30, 3],
      ['2026-06-16', 100, 1],
    ]);
    expect(range.total).toMatchObject({
      footfall: 135,
      recognizedVisits: 5,
      alerts: 5,
      convertedVisits: 3, // c2, c1 on 06-15 and c4 on 06-16
      orders: 5,
      units: 8,
      revenue: 128_999,
      conversionRate: 5 / 135,
      recognizedConversion: 3 / 5,
      atv: 25_800, // 128,999 / 5 = 25,799.8 → whole fen
      upt: 1.6,
      salesPerVisitor: 956, // 128,999 / 135 = 955.5…
    });
    expect(guideNamed(range.total, shanghai.guide2.id)).toMatchObject({
      orders: 2,
      units: 2,
      revenue: 7_000,
    });
  });

  it('has 23 hours on the day Berlin springs forward', async () => {
    const r = await getStats(hub, berlin, { date: '2026-03-29' });
    expect(r.status).toBe(200);
    const stats = dayStats.parse(r.body);
    expect(stats).toMatchObject({
      from: '2026-03-28T23:00:00.000Z',
      to: '2026-03-29T22:00:00.000Z',
      footfall: 11,
      orders: 1,
      revenue: 10_000,
    });
    expect(stats.byHour).toHaveLength(23);
    expect(stats.byHour.map((h) => h.label)).toEqual([
      '00:00',
      '01:00',
      '03:00',
      ...Array.from({ length: 20 }, (_, i) => `${String(i + 4).padStart(2, '0')}:00`),
    ]);
    expect(stats.byHour[1]).toMatchObject({
      label: '01:00',
      start: '2026-03-29T00:00:00.000Z',
      footfall: 4,
    });
    expect(stats.byHour[2]).toMatchObject({
      label: '03:00',
      start: '2026-03-29T01:00:00.000Z',
      footfall: 6,
      orders: 1,
      revenue: 10_000,
    });
    expect(stats.byHour[22]).toMatchObject({ index: 22, label: '23:00', footfall: 1 });
  });

  it('has 25 hours on the day Berlin falls back, with 02:00 twice', async () => {
    const r = await getStats(hub, berlin, { date: '2026-10-25' });
    expect(r.status).toBe(200);
    const stats = dayStats.parse(r.body);
    expect(stats).toMatchObject({
      from: '2026-10-24T22:00:00.000Z',
      to: '2026-10-25T23:00:00.000Z',
      footfall: 13,
      orders: 0,
      // Visitors but no sales: a zero rate; no sales to average over: no value at all.
      conversionRate: 0,
      salesPerVisitor: 0,
      atv: null,
      upt: null,
      recognizedConversion: null,
    });
    expect(stats.byHour).toHaveLength(25);
    expect(stats.byHour.slice(0, 5).map((h) => h.label)).toEqual([
      '00:00',
      '01:00',
      '02:00',
      '02:00',
      '03:00',
    ]);
    expect(stats.byHour[2]).toMatchObject({ start: '2026-10-25T00:00:00.000Z', footfall: 2 });
    expect(stats.byHour[3]).toMatchObject({ start: '2026-10-25T01:00:00.000Z', footfall: 3 });
    expect(stats.byHour[24]).toMatchObject({ index: 24, label: '23:00', footfall: 8 });
  });

  it('credits a converted visit to the guide who claimed its alert', async () => {
    const store = await createStoreFixture(hub);
    const token = store.terminals[0]!.token;
    const [bought, browsed] = await seedCrmCustomers(hub, token, 2, 'S');
    // Claims only work on fresh alerts, so this fixture happens now.
    const at = new Date(Date.now() - 60_000).toISOString();
    const date = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(
      new Date(at),
    );
    const a = await presence(hub, store.storeId, { customerId: bought }, at);
    const b = await presence(hub, store.storeId, { customerId: browsed }, at);
    const socket = await connectTerminal(hub, token);
    try {
      expect(
        await socket.emitWithAck('alert:claim', { alertId: a.alertId, guideId: store.guide2.id }),
      ).toEqual({ ok: true });
      expect(
        await socket.emitWithAck('alert:claim', { alertId: b.alertId, guideId: store.guide.id }),
      ).toEqual({ ok: true });
    } finally {
      socket.disconnect();
    }
    // guide2 served the customer, guide rang up the sale.
    await order(hub, store, {
      at,
      guideId: store.guide.id,
      customerId: bought,
      quantity: 2,
      unitPrice: 15_000,
    });

    const r = await getStats(hub, store, { date });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      recognizedVisits: 2,
      alerts: 2,
      claimedAlerts: 2,
      convertedVisits: 1,
      orders: 1,
      revenue: 30_000,
      recognizedConversion: 0.5,
    });
    expect(guideNamed(r.body, store.guide2.id)).toMatchObject({
      claimedAlerts: 1,
      convertedVisits: 1,
      claimConversion: 1,
      orders: 0,
      revenue: 0,
      atv: null,
    });
    expect(guideNamed(r.body, store.guide.id)).toMatchObject({
      claimedAlerts: 1,
      convertedVisits: 0,
      claimConversion: 0,
      orders: 1,
      units: 2,
      revenue: 30_000,
      atv: 30_000,
      upt: 2,
    });
  });

  it("refuses another store's figures, missing tokens and malformed queries", async () => {
    const token = shanghai.terminals[0]!.token;
    const forbidden = await getStats(hub, berlin, { date: '2026-03-29' }, token);
    expect(forbidden.status).toBe(403);
    expect(forbidden.error?.code).toBe('forbidden');
    const noToken = await rawCall(
      hub,
      'GET',
      routePath(endpoints.storeStats, { storeId: shanghai.storeId }, { date: '2026-06-15' }),
    );
    expect(noToken.status).toBe(401);
    for (const query of [
      { date: '2026-6-15' },
      { date: '2026-02-30' },
      { date: 'yesterday' },
      {},
      { from: '2026-06-16', to: '2026-06-14' },
      { from: '2026-01-01', to: '2026-06-30' },
      { from: '2026-06-14' },
    ]) {
      const r = await getStats(hub, shanghai, query);
      expect(r.status, JSON.stringify(query)).toBe(400);
      expect(r.error?.code, JSON.stringify(query)).toBe('invalid_input');
    }
  });
});
