import { afterAll, beforeAll, expect, it } from 'vitest';
import { chainStats, endpoints } from '../../shared/protocol';
import { callRoute, hubApi, must } from '../support/api';
import { describeOnBackends } from '../support/backends';
import { CHAIN_PERIOD, seedChainFixture, type ChainFixture } from '../support/chain-fixture';
import type { HubProcess } from '../support/hub-process';

/**
 * Head office's chain KPIs (issue #15 item 6) against a real hub: two stores in two regions and
 * time zones, every figure worked out by hand in test/support/chain-fixture.ts.
 */
describeOnBackends('chain KPIs for head office', (backend) => {
  let hub: HubProcess;
  let fx: ChainFixture;

  beforeAll(async () => {
    hub = await backend.startHub();
    fx = await seedChainFixture(hub);
  }, 180_000);
  afterAll(() => backend.cleanup());

  it('answers each store over its own local days, its region and the chain, by hand', async () => {
    const r = await callRoute(hub, endpoints.adminChainStats, { query: CHAIN_PERIOD });
    expect(r.status).toBe(200);
    const stats = chainStats.parse(r.body);
    // Stores by name as a Chinese reader sorts them: Chinese names before Latin ones.
    expect(stats.stores.map((s) => [s.name, s.region, s.timezone])).toEqual([
      [fx.shanghai.name, '华东', 'Asia/Shanghai'],
      [fx.berlin.name, '欧洲', 'Europe/Berlin'],
    ]);
    const [shanghai, berlin] = stats.stores;
    expect(shanghai).toMatchObject({
      storeId: fx.shanghai.storeId,
      footfall: 160,
      recognizedVisits: 1,
      convertedVisits: 1,
      claimedAlerts: 0,
      orders: 5,
      units: 8,
      revenue: 115_000,
      creditedOnline: 25_000,
      refunds: 10_000,
      netRevenue: 105_000,
      returnsRate: 10_000 / 115_000,
      conversionRate: 5 / 160,
      atv: 23_000,
    });
    expect(shanghai!.days).toEqual([
      { date: '2026-11-16', footfall: 100, orders: 4, revenue: 65_000, conversionRate: 0.04 },
      { date: '2026-11-17', footfall: 60, orders: 1, revenue: 50_000, conversionRate: 1 / 60 },
    ]);
    expect(berlin).toMatchObject({
      storeId: fx.berlin.storeId,
      footfall: 50,
      orders: 1,
      units: 1,
      revenue: 80_000,
      creditedOnline: 12_000,
      refunds: 0,
      netRevenue: 80_000,
      returnsRate: 0,
      conversionRate: 1 / 50,
      atv: 80_000,
    });
    expect(berlin!.days.map((d) => [d.date, d.footfall, d.orders])).toEqual([
      ['2026-11-16', 10, 1],
      ['2026-11-17', 40, 0],
    ]);
    // Regions by name (pinyin: 华东 huá before 欧洲 ōu), ratios from the sums.
    expect(
      stats.regions.map((g) => [
        g.region,
        g.stores,
        g.footfall,
        g.revenue,
        g.refunds,
        g.netRevenue,
      ]),
    ).toEqual([
      ['华东', 1, 160, 115_000, 10_000, 105_000],
      ['欧洲', 1, 50, 80_000, 0, 80_000],
    ]);
    expect(stats.total).toMatchObject({
      stores: 2,
      footfall: 210,
      orders: 6,
      units: 9,
      revenue: 195_000,
      creditedOnline: 37_000,
      refunds: 10_000,
      netRevenue: 185_000,
      returnsRate: 10_000 / 195_000,
      conversionRate: 6 / 210,
      atv: 32_500,
    });
  });

  it('agrees with the store dashboard and the benefit-sharing statement', async () => {
    const range = await must(
      hubApi(hub, { token: fx.berlin.terminals[0]!.token }).call(endpoints.storeStats, {
        params: { storeId: fx.berlin.storeId },
        query: CHAIN_PERIOD,
      }),
    );
    expect('total' in range && range.total.revenue).toBe(80_000);
    // Shanghai's after-sale figures are its dashboard's own.
    const shRange = await must(
      hubApi(hub, { token: fx.shanghai.terminals[0]!.token }).call(endpoints.storeStats, {
        params: { storeId: fx.shanghai.storeId },
        query: CHAIN_PERIOD,
      }),
    );
    expect('total' in shRange && shRange.total.afterSale).toMatchObject({
      refunds: 10_000,
      netRevenue: 105_000,
    });
    const statement = await must(
      hubApi(hub).call(endpoints.adminCreditStatement, { query: CHAIN_PERIOD }),
    );
    const sh = statement.stores.find((s) => s.storeId === fx.shanghai.storeId)!;
    expect(sh.lines.map((l) => [l.guideName, l.net])).toEqual([[fx.shanghai.guide2.name, 25_000]]);
    expect(statement.total.net).toBe(37_000);
  });

  it('keeps a store’s region when an update leaves it out, and lists it', async () => {
    await must(
      hubApi(hub).call(endpoints.adminCreateStore, {
        body: {
          id: fx.berlin.storeId,
          name: fx.berlin.name,
          timezone: 'Europe/Berlin',
          lat: 52.52,
          lng: 13.405,
        },
      }),
    );
    const { items } = await must(hubApi(hub).call(endpoints.adminListStores));
    expect(items.find((s) => s.id === fx.berlin.storeId)?.region).toBe('欧洲');
  });

  it('refuses a period over 92 days, an inverted one, and a caller without the admin key', async () => {
    const long = await callRoute(hub, endpoints.adminChainStats, {
      query: { from: '2026-01-01', to: '2026-04-30' },
    });
    expect(long.status).toBe(400);
    const inverted = await callRoute(hub, endpoints.adminChainStats, {
      query: { from: '2026-11-17', to: '2026-11-16' },
    });
    expect(inverted.status).toBe(400);
    const wrong = await callRoute(
      hub,
      endpoints.adminChainStats,
      { query: CHAIN_PERIOD },
      { adminKey: 'not-the-admin-key-0000000' },
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body).not.toHaveProperty('stores');
  });
});
