import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ShopGuideBridge } from '../../shared/bridge';
import { newId } from '../../shared/domain/ids';
import { endpoints } from '../../shared/protocol';
import { err, ok } from '../../shared/result';
import { figuresCache } from '../../renderer/dashboard/stats-cache';
import { hubStatsSource } from '../../renderer/dashboard/stats-client';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { callRoute } from '../support/api';
import type { HubProcess } from '../support/hub-process';
import { memoryStorage } from '../../renderer/testing/memory-storage';

/**
 * The dashboard's own fetch against a real hub: day and range answers pass the shared schemas,
 * another store's figures are refused, and when the hub goes away the terminal still has the last
 * figures it fetched (the "as of" view).
 */
const SKU = `SKU-DASH-${Date.now() % 1_000_000}`;

function bridgeFor(hubUrl: string, token: string): ShopGuideBridge {
  const unavailable = () => Promise.resolve(err({ code: 'unavailable' as const, message: 'n/a' }));
  return {
    platform: 'browser',
    appInfo: unavailable,
    deployment: () =>
      Promise.resolve(ok({ hubUrl, source: 'config-file' as const, enrolled: true })),
    setHubUrl: unavailable,
    getSecret: (name) => Promise.resolve(ok(name === 'terminalToken' ? token : null)),
    setSecret: unavailable,
    clearSecrets: unavailable,
    dataKey: unavailable,
    notifyAlert: unavailable,
    onAlertFocus: () => () => undefined,
    setKiosk: unavailable,
    launchAtLogin: unavailable,
    setLaunchAtLogin: unavailable,
    printReceipt: unavailable,
    copyText: unavailable,
  };
}

describeOnBackends("the dashboard's stats client", (backend) => {
  let hub: HubProcess;
  let store: StoreFixture;
  let other: StoreFixture;

  beforeAll(async () => {
    hub = await backend.startHub();
    store = await createStoreFixture(hub, { timezone: 'Asia/Shanghai' });
    other = await createStoreFixture(hub, { timezone: 'Asia/Shanghai' });
    const p = await callRoute(hub, endpoints.importProducts, {
      body: { products: [{ sku: SKU, name: '衬衫', category: '衬衫', price: 29_900 }] },
    });
    expect(p.status).toBe(200);
    // Friday 2026-11-20, 14:00 Shanghai: 40 through the door, two orders of ¥299 and 2 × ¥299.
    const f = await callRoute(hub, endpoints.footfall, {
      body: { storeId: store.storeId, at: '2026-11-20T06:00:00Z', count: 40 },
    });
    expect(f.status).toBe(202);
    const o = await callRoute(
      hub,
      endpoints.postOrders,
      {
        body: {
          orders: [1, 2].map((quantity) => ({
            id: newId(),
            storeId: store.storeId,
            terminalId: store.terminals[0]!.id,
            guideId: store.guide.id,
            paymentMethod: 'alipay' as const,
            createdAt: '2026-11-20T06:10:00Z',
            lines: [{ sku: SKU, quantity, unitPrice: 29_900, discount: 0 }],
          })),
        },
      },
      { token: store.terminals[0]!.token },
    );
    expect(o.body.results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
  });
  afterAll(() => backend.cleanup());

  it('fetches a day and a range, validated, and keeps them for when the hub is gone', async () => {
    const source = hubStatsSource({ bridge: bridgeFor(hub.url, store.terminals[0]!.token) });
    const storage = memoryStorage();
    const cache = figuresCache(storage, {
      terminalId: store.terminals[0]!.id,
      storeId: store.storeId,
    });

    const day = await source.fetchFigures(store.storeId, { from: '2026-11-20', to: '2026-11-20' });
    if (!day.ok) throw new Error(day.error.message);
    expect(day.value.totals).toMatchObject({
      footfall: 40,
      orders: 2,
      units: 3,
      revenue: 89_700,
      conversionRate: 0.05,
      atv: 44_850,
      upt: 1.5,
    });
    expect(day.value.days[0]!.byHour).toHaveLength(24);
    expect(day.value.days[0]!.byHour[14]).toMatchObject({
      label: '14:00',
      footfall: 40,
      orders: 2,
    });
    cache.write(
      { from: '2026-11-20', to: '2026-11-20' },
      { figures: day.value, fetchedAt: '2026-11-20T06:30:00.000Z' },
    );

    const week = await source.fetchFigures(store.storeId, { from: '2026-11-14', to: '2026-11-20' });
    if (!week.ok) throw new Error(week.error.message);
    expect(week.value.days.map((d) => d.orders)).toEqual([0, 0, 0, 0, 0, 0, 2]);
    expect(week.value.totals).toMatchObject({ orders: 2, revenue: 89_700 });
    expect(week.value.byGuide.find((g) => g.guideId === store.guide.id)).toMatchObject({
      orders: 2,
      revenue: 89_700,
    });

    // Another store's figures: refused by the hub, reported as such (not as an outage).
    const refused = await source.fetchFigures(other.storeId, {
      from: '2026-11-20',
      to: '2026-11-20',
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    // No hub answering (nothing listens on the port): an outage, and the last figures are still
    // there with their time.
    const gone = hubStatsSource({
      bridge: bridgeFor('http://127.0.0.1:9', store.terminals[0]!.token),
      timeoutMs: 3_000,
    });
    const offline = await gone.fetchFigures(store.storeId, {
      from: '2026-11-20',
      to: '2026-11-20',
    });
    expect(offline).toMatchObject({ ok: false, error: { code: 'offline' } });
    expect(cache.read({ from: '2026-11-20', to: '2026-11-20' })).toMatchObject({
      fetchedAt: '2026-11-20T06:30:00.000Z',
      figures: { totals: { orders: 2, revenue: 89_700 } },
    });
  });
});
