import { afterAll, beforeAll, expect, it } from 'vitest';
import { endpoints, rangeStats } from '../../shared/protocol';
import { newId } from '../../shared/domain/ids';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { callRoute } from '../support/api';
import { seedCrmCustomers, unique } from '../support/seed';
import type { HubProcess } from '../support/hub-process';

/**
 * The range form the manager's dashboard uses for "this week / last 7 / last 30 days": a
 * hand-computed week, the DST weeks of a European store, and one store's terminal asking for
 * another store's week.
 */

const SKU = `SKU-RANGE-${unique()}`;

async function footfall(hub: HubProcess, storeId: string, at: string, count: number) {
  const r = await callRoute(hub, endpoints.footfall, { body: { storeId, at, count } });
  expect(r.status).toBe(202);
}

async function presence(hub: HubProcess, storeId: string, customerId: string, at: string) {
  const r = await callRoute(hub, endpoints.presence, {
    body: { customer: { customerId }, storeId, source: 'wifi', at },
  });
  expect(r.status).toBe(202);
}

type OrderSpec = {
  at: string;
  guideId: string;
  quantity: number;
  unitPrice: number;
  customerId?: string;
};

async function orders(hub: HubProcess, store: StoreFixture, specs: OrderSpec[]) {
  const r = await callRoute(
    hub,
    endpoints.postOrders,
    {
      body: {
        orders: specs.map((o) => ({
          id: newId(),
          storeId: store.storeId,
          terminalId: store.terminals[0]!.id,
          guideId: o.guideId,
          customerId: o.customerId,
          paymentMethod: 'wechat' as const,
          createdAt: o.at,
          lines: [{ sku: SKU, quantity: o.quantity, unitPrice: o.unitPrice, discount: 0 }],
        })),
      },
    },
    { token: store.terminals[0]!.token },
  );
  expect(r.status).toBe(200);
  expect(r.body.results.every((x) => x.status === 'accepted')).toBe(true);
}

const getRange = (hub: HubProcess, store: StoreFixture, from: string, to: string, token?: string) =>
  callRoute(
    hub,
    endpoints.storeStats,
    { params: { storeId: store.storeId }, query: { from, to } },
    { token: token ?? store.terminals[0]!.token },
  );

/** 2026-11-14 (Sat) … 2026-11-20 (Fri), Shanghai (UTC+8): local day d starts at (d-1)T16:00Z. */
const WEEK = ['14', '15', '16', '17', '18', '19', '20'].map((d) => `2026-11-${d}`);
const utc = (localDate: string, localTime: string) =>
  new Date(Date.parse(`${localDate}T${localTime}:00+08:00`)).toISOString();

describeOnBackends('store statistics over a range of days', (backend) => {
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
    const p = await callRoute(hub, endpoints.importProducts, {
      body: { products: [{ sku: SKU, name: '羊毛大衣', category: '外套', price: 10_000 }] },
    });
    expect(p.status).toBe(200);

    const s = shanghai.storeId;
    const [c1, c2, c3] = await seedCrmCustomers(hub, shanghai.terminals[0]!.token, 3, 'R');
    // Day d (0…6): 100 + 10·d through the door at 11:00, d + 1 walk-in orders of 2 × ¥100 at 15:00.
    const walkIns: OrderSpec[] = [];
    for (const [d, date] of WEEK.entries()) {
      await footfall(hub, s, utc(date, '11:00'), 100 + 10 * d);
      for (let i = 0; i <= d; i++)
        walkIns.push({
          at: utc(date, '15:00'),
          guideId: shanghai.guide.id,
          quantity: 2,
          unitPrice: 10_000,
        });
    }
    // Just outside the week on both sides: never counted.
    await footfall(hub, s, utc('2026-11-13', '23:59'), 500);
    await footfall(hub, s, utc('2026-11-21', '00:00'), 500);
    walkIns.push({
      at: utc('2026-11-13', '23:59'),
      guideId: shanghai.guide.id,
      quantity: 9,
      unitPrice: 90_000,
    });
    walkIns.push({
      at: utc('2026-11-21', '00:01'),
      guideId: shanghai.guide.id,
      quantity: 9,
      unitPrice: 90_000,
    });
    await orders(hub, shanghai, walkIns);
    // Recognised members: c1 buys on Sunday, c2 only looks on Wednesday, c3 buys late on Friday.
    await presence(hub, s, c1!, utc('2026-11-15', '12:00'));
    await presence(hub, s, c2!, utc('2026-11-18', '16:00'));
    await presence(hub, s, c3!, utc('2026-11-20', '23:50'));
    await orders(hub, shanghai, [
      {
        at: utc('2026-11-15', '12:30'),
        guideId: shanghai.guide2.id,
        customerId: c1!,
        quantity: 1,
        unitPrice: 5_000,
      },
      {
        at: utc('2026-11-20', '23:55'),
        guideId: shanghai.guide2.id,
        customerId: c3!,
        quantity: 1,
        unitPrice: 5_000,
      },
    ]);

    // Berlin falls back on Sunday 2026-10-25 (25 hours) and springs forward on 2026-03-29 (23).
    const b = berlin.storeId;
    await footfall(hub, b, '2026-10-25T00:30:00Z', 2); // 02:30 CEST, hour 2
    await footfall(hub, b, '2026-10-25T01:30:00Z', 3); // 02:30 CET, hour 3
    await footfall(hub, b, '2026-10-25T23:30:00Z', 4); // 10-26 00:30 CET
    await footfall(hub, b, '2026-03-29T01:30:00Z', 6); // 03:30 CEST, hour 2
  });
  afterAll(() => backend.cleanup());

  it('answers a hand-computed week: each day and totals with ratios over the sums', async () => {
    const r = await getRange(hub, shanghai, WEEK[0]!, WEEK[6]!);
    expect(r.status).toBe(200);
    const range = rangeStats.parse(r.body);
    expect(range).toMatchObject({
      from: '2026-11-14',
      to: '2026-11-20',
      timezone: 'Asia/Shanghai',
    });
    expect(range.days.map((d) => [d.date, d.footfall, d.orders, d.revenue])).toEqual([
      ['2026-11-14', 100, 1, 20_000],
      ['2026-11-15', 110, 3, 45_000], // 2 walk-ins + c1
      ['2026-11-16', 120, 3, 60_000],
      ['2026-11-17', 130, 4, 80_000],
      ['2026-11-18', 140, 5, 100_000],
      ['2026-11-19', 150, 6, 120_000],
      ['2026-11-20', 160, 8, 145_000], // 7 walk-ins + c3 at 23:55
    ]);
    expect(range.days.every((d) => d.byHour.length === 24)).toBe(true);
    // 910 through the door; 28 walk-in orders (56 units, ¥5,600) + 2 member orders (¥100).
    expect(range.total).toMatchObject({
      footfall: 910,
      recognizedVisits: 3,
      alerts: 3,
      convertedVisits: 2,
      orders: 30,
      units: 58,
      revenue: 570_000,
      conversionRate: 30 / 910,
      recognizedConversion: 2 / 3,
      atv: 19_000,
      upt: 58 / 30,
      salesPerVisitor: 626, // 570,000 / 910 = 626.37… → whole fen
    });
    const byId = new Map(range.total.byGuide.map((g) => [g.guideId, g]));
    expect(byId.get(shanghai.guide.id)).toMatchObject({
      orders: 28,
      units: 56,
      revenue: 560_000,
      atv: 20_000,
    });
    expect(byId.get(shanghai.guide2.id)).toMatchObject({
      orders: 2,
      units: 2,
      revenue: 10_000,
      atv: 5_000,
    });
  });

  it('answers the week before (the comparison) with zeros and undefined ratios, not NaN', async () => {
    const r = await getRange(hub, shanghai, '2026-11-07', '2026-11-13');
    expect(r.status).toBe(200);
    const range = rangeStats.parse(r.body);
    // Only the 23:59 extras of the 13th fall in it.
    expect(range.total).toMatchObject({ footfall: 500, orders: 1, revenue: 810_000 });
    const empty = range.days.find((d) => d.date === '2026-11-07')!;
    expect(empty).toMatchObject({
      footfall: 0,
      orders: 0,
      conversionRate: null,
      atv: null,
      upt: null,
      salesPerVisitor: null,
      recognizedConversion: null,
    });
    expect(JSON.stringify(range)).not.toMatch(/NaN|Infinity/);
  });

  it('gives the autumn DST day 25 hourly buckets inside a week, with 02:00 twice', async () => {
    const r = await getRange(hub, berlin, '2026-10-22', '2026-10-28');
    expect(r.status).toBe(200);
    const range = rangeStats.parse(r.body);
    expect(range.days.map((d) => d.byHour.length)).toEqual([24, 24, 24, 25, 24, 24, 24]);
    const sunday = range.days[3]!;
    expect(sunday).toMatchObject({
      date: '2026-10-25',
      from: '2026-10-24T22:00:00.000Z',
      to: '2026-10-25T23:00:00.000Z',
      footfall: 5,
    });
    expect(sunday.byHour.slice(2, 4).map((h) => [h.label, h.footfall])).toEqual([
      ['02:00', 2],
      ['02:00', 3],
    ]);
    expect(range.days[4]).toMatchObject({ date: '2026-10-26', footfall: 4 });
    expect(range.total.footfall).toBe(9);
  });

  it('gives the spring DST day 23 hourly buckets inside a week, without 02:00', async () => {
    const r = await getRange(hub, berlin, '2026-03-26', '2026-04-01');
    expect(r.status).toBe(200);
    const range = rangeStats.parse(r.body);
    expect(range.days.map((d) => d.byHour.length)).toEqual([24, 24, 24, 23, 24, 24, 24]);
    const sunday = range.days[3]!;
    expect(sunday.byHour.map((h) => h.label)).not.toContain('02:00');
    expect(sunday.byHour[2]).toMatchObject({ label: '03:00', footfall: 6 });
  });

  it("refuses a terminal another store's week", async () => {
    const r = await getRange(hub, berlin, '2026-10-22', '2026-10-28', shanghai.terminals[0]!.token);
    expect(r.status).toBe(403);
    expect(r.error?.code).toBe('forbidden');
    expect(r.body).not.toHaveProperty('days');
  });
});
