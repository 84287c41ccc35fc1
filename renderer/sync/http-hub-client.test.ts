import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { API_PREFIX, endpointPath, endpoints, type Order } from '../../shared/protocol';
import { enqueueOrder } from '../data/outbox';
import { memorySecretStore } from '../data/secret-store';
import { freshDb, TEST_PHONE_KEY } from '../data/testing';
import { createHttpHubClient } from './http-hub-client';
import { SyncEngine } from './sync-engine';

const terminalId = newId();
const anOrder = (): Order => ({
  id: newId(),
  storeId: newId(),
  terminalId,
  guideId: newId(),
  paymentMethod: 'wechat',
  createdAt: '2026-11-02T10:00:00.000Z',
  lines: [{ sku: 'SKU-1', quantity: 1, unitPrice: 19_900, discount: 0 }],
});

/**
 * A hub whose database is down answers `503 {error:{code:'unavailable'}}` with Retry-After (see
 * server/http/errors.ts). Stands in for `fetch`, so the real client's status mapping is tested.
 */
function hubWithOutage() {
  const state = { databaseDown: true, posts: 0, catalogPulls: 0, stored: new Set<string>() };
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    // The catalog feed (at its head: nothing new), pulled after the hub confirms sales.
    const catalog = endpoints.syncCatalog;
    if (url.pathname === API_PREFIX + endpointPath(catalog) && init?.method === catalog.method) {
      state.catalogPulls += 1;
      return json(200, { items: [], cursor: url.searchParams.get('after') ?? '0', hasMore: false });
    }
    const route = endpoints.postOrders;
    if (url.pathname !== API_PREFIX + endpointPath(route) || init?.method !== route.method)
      return json(404, { error: { code: 'not_found', message: 'no route' } });
    state.posts += 1;
    if (state.databaseDown)
      return json(
        503,
        {
          error: { code: 'unavailable', message: 'the database is unavailable; try again shortly' },
        },
        { 'retry-after': '5' },
      );
    const { orders } = JSON.parse(String(init.body)) as { orders: Order[] };
    const results = orders.map((o) => {
      const status = state.stored.has(o.id) ? 'duplicate' : 'accepted';
      state.stored.add(o.id);
      return { id: o.id, status };
    });
    return json(200, { results });
  };
  return { state, fetch };
}

describe('hub answers 503 (its database is down)', () => {
  it('treats it like offline: the outbox stays pending, nothing is rejected, then it all goes once', async () => {
    const db = freshDb(terminalId);
    const hub = hubWithOutage();
    const secrets = memorySecretStore({ token: 'tok', phoneHashKey: TEST_PHONE_KEY });
    const engine = new SyncEngine({
      db,
      secrets,
      hub: createHttpHubClient({ baseUrl: 'http://hub.test', secrets, fetch: hub.fetch }),
      autoRetry: false,
      retention: { alertsDays: 36_500, syncedDays: 36_500 },
    });
    const orders = [anOrder(), anOrder(), anOrder()];
    for (const o of orders) await enqueueOrder(db, o);

    await engine.requestDrain();
    await engine.requestDrain();
    expect(hub.state.posts).toBe(2);
    expect(hub.state.catalogPulls).toBe(0);
    expect((await db.outbox.bulkGet(orders.map((o) => o.id))).map((e) => e?.status)).toEqual([
      'pending',
      'pending',
      'pending',
    ]);
    expect(engine.status.get()).toMatchObject({
      pendingCount: 3,
      rejectedCount: 0,
      syncing: false,
      lastError: 'network: the database is unavailable; try again shortly',
    });

    hub.state.databaseDown = false;
    await engine.requestDrain();
    expect((await db.outbox.bulkGet(orders.map((o) => o.id))).map((e) => e?.status)).toEqual([
      'synced',
      'synced',
      'synced',
    ]);
    expect(engine.status.get()).toMatchObject({
      pendingCount: 0,
      rejectedCount: 0,
      lastError: null,
    });
    expect(hub.state.stored.size).toBe(3);
    // The sales are in the hub's figures now: one catalog pull brought them, the holds are gone.
    expect(hub.state.catalogPulls).toBe(1);
    expect(await db.stockHolds.count()).toBe(0);
  });
});
