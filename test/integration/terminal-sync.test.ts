import { rmSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { endpoints, type Order } from '../../shared/protocol';
import { newId } from '../../shared/domain/ids';
import { findProductByCode } from '../../renderer/data/catalog';
import { verifyGuidePin } from '../../renderer/data/staff';
import { searchCustomers } from '../../renderer/data/customers';
import { readSyncState } from '../../renderer/data/sync-state';
import { enqueueOrder, enqueueRegistration, rejectedEntries } from '../../renderer/data/outbox';
import type { StoredAlert } from '../../renderer/data/database';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { callRoute } from '../support/api';
import { startHub, type HubProcess } from '../support/hub-process';
import {
  enrolTerminal,
  expectHubHasEach,
  hubOrderCount,
  orderFor,
  seedCustomers,
  seedProducts,
  waitFor,
  type Terminal,
} from './terminal-harness';

/**
 * The terminal's offline cache and sync engine against a real hub on PGlite. Each test gets a
 * store of its own; the tests that leave the hub running share one hub, and those that kill,
 * restart or configure it get a hub of their own (`ownHub`): the one the previous such test left
 * running (restarted, on the same data), or a fresh one; one configured otherwise is always fresh.
 */
describe('terminal sync against a real hub', () => {
  let hub: HubProcess;
  let sharedHub: HubProcess | undefined;
  /** the running test started `hub` (or its restarts) for itself */
  let owned = false;
  /** a hub an `ownHub` test left running, for the next one (a PGlite hub start is seconds) */
  let spare: HubProcess | undefined;
  const running = (h: HubProcess) => h.proc.exitCode === null && h.proc.signalCode === null;
  let store: StoreFixture;
  const terminals: Terminal[] = [];

  async function setup(
    options: {
      customers?: number;
      pageSize?: number;
      ownHub?: boolean;
      hubEnv?: Record<string, string>;
    } = {},
  ) {
    owned = Boolean(options.ownHub || options.hubEnv);
    if (options.hubEnv) hub = await startHub({ env: options.hubEnv });
    else if (owned) {
      hub = spare && running(spare) ? spare : await startHub();
      spare = undefined;
    } else hub = sharedHub ??= await startHub();
    store = await createStoreFixture(hub, { name: '上海IFC店' });
    await seedProducts(hub, store.storeId, ['DR-1', 'CO-2', 'SK-3']);
    const customers = await seedCustomers(
      hub,
      options.customers ?? 20,
      newId().slice(-6),
      store.storeId,
    );
    const terminal = await enrolTerminal(hub, store, { pageSize: options.pageSize });
    terminals.push(terminal);
    return { customers, terminal };
  }

  afterEach(async () => {
    for (const t of terminals.splice(0)) t.engine.stop();
    if (!owned) return;
    owned = false;
    if (!hub.options.env && running(hub)) {
      spare = hub;
      return;
    }
    await hub.kill();
    // Also the data dirs of restarted hubs (removeDataDir keeps dirs passed in explicitly).
    rmSync(hub.dataDir, { recursive: true, force: true });
  });

  afterAll(async () => {
    for (const h of [spare, sharedHub]) {
      if (!h) continue;
      await h.kill();
      rmSync(h.dataDir, { recursive: true, force: true });
    }
  });

  it('initial sync of a seeded store: every customer, product and guide, searchable offline', async () => {
    const { customers, terminal } = await setup({ customers: 2_300, pageSize: 1000 });
    const progress: { done: number; total: number | null }[] = [];
    terminal.engine.subscribe((s) => {
      if (s.progress?.feed === 'customers')
        progress.push({ done: s.progress.done, total: s.progress.total });
    });
    await terminal.engine.syncNow();

    const { db, secrets } = terminal;
    expect(await db.customerStore.count()).toBe(2_300);
    expect(progress.at(-1)).toEqual({ done: 2_300, total: 2_300 });
    expect(terminal.engine.status.get()).toMatchObject({ lastError: null, syncing: false });
    // The guide finds people by full phone (hashed with the hub's key), member code and 尾号.
    const someone = customers[1234]!;
    const byPhone = await searchCustomers(db, secrets, { query: someone.phone });
    expect(byPhone.map((c) => c.name)).toEqual([someone.name]);
    expect((await searchCustomers(db, secrets, { query: someone.memberCode }))[0]?.name).toBe(
      someone.name,
    );
    const last4 = await searchCustomers(db, secrets, { query: someone.phone.slice(-4) });
    expect(last4.map((c) => c.name)).toContain(someone.name);
    expect((await findProductByCode(db, 'CO-2'))?.stock).toBe(50);
    expect((await verifyGuidePin(db, store.guide.id, store.guide.pin))?.name).toBe(
      store.guide.name,
    );
  });

  it('a live change on the hub reaches the cache through customers:changed → pull', async () => {
    const { customers, terminal } = await setup();
    await terminal.engine.start();
    await waitFor(() => terminal.engine.status.get().online, 'online');
    const target = customers[3]!;
    const r = await callRoute(hub, endpoints.onlineEvents, {
      body: {
        events: [
          {
            id: newId(),
            customer: { crmId: target.crmId },
            type: 'carted',
            sku: 'DR-1',
            channel: 'app',
            at: new Date().toISOString(),
          },
        ],
      },
    });
    expect(r.status).toBe(200);
    const [hit] = await searchCustomers(terminal.db, terminal.secrets, {
      query: target.memberCode,
    });
    const detail = await waitFor(async () => {
      const d = await terminal.db.customerStore.get(hit!.id);
      return d?.online.carted.some((c) => c.sku === 'DR-1') ? d : undefined;
    }, 'carted item in the cache');
    expect(detail.online.carted[0]?.sku).toBe('DR-1');
  });

  it('a customer erased at head office leaves the cache, the alerts and the lookups', async () => {
    const { customers, terminal } = await setup();
    await terminal.engine.start();
    await waitFor(() => terminal.engine.status.get().online, 'online');
    const target = customers[5]!;
    const arrival = await callRoute(hub, endpoints.presence, {
      body: { customer: { memberCode: target.memberCode }, storeId: store.storeId, source: 'wifi' },
    });
    await waitFor(
      async () => (await terminal.db.alerts.get(arrival.body.alertId!)) !== undefined,
      'arrival alert cached',
    );
    const [hit] = await searchCustomers(terminal.db, terminal.secrets, {
      query: target.memberCode,
    });
    expect(hit?.name).toBe(target.name);

    const r = await callRoute(hub, endpoints.eraseCustomer, {
      body: { customerId: hit!.id, reason: '顾客申请删除' },
    });
    expect(r.status).toBe(200);
    await waitFor(
      async () => (await terminal.db.customerStore.get(hit!.id)) === undefined,
      'erased customer gone from the cache',
    );
    expect(await terminal.db.alerts.get(arrival.body.alertId!)).toBeUndefined();
    for (const query of [target.phone, target.memberCode, target.phone.slice(-4), target.name])
      expect(
        (await searchCustomers(terminal.db, terminal.secrets, { query })).map((c) => c.id),
      ).not.toContain(hit!.id);
    // A reconnect's catch-up does not bring the alert back.
    terminal.engine.stop();
    await terminal.engine.start();
    await terminal.engine.catchUpAlerts();
    await terminal.engine.settled();
    expect(await terminal.db.alerts.get(arrival.body.alertId!)).toBeUndefined();
    expect(await terminal.db.customerStore.count()).toBe(customers.length - 1);
  });

  it('a member from another store walks in: her alert brings her into the cache, with no pull; a later change to her arrives by the feed (#17)', async () => {
    const { terminal } = await setup();
    const elsewhere = await createStoreFixture(hub, { name: '北京国贸店' });
    const [visitor] = await seedCustomers(hub, 1, newId().slice(-6), elsewhere.storeId);
    await terminal.engine.start();
    await waitFor(() => terminal.engine.status.get().online, 'online');
    await terminal.engine.settled();
    const { db, secrets } = terminal;
    expect(await searchCustomers(db, secrets, { query: visitor!.memberCode })).toEqual([]);
    const cursor = (await readSyncState(db, 'customers')).cursor;

    const arrival = await callRoute(hub, endpoints.presence, {
      body: { customer: { memberCode: visitor!.memberCode }, storeId: store.storeId, source: 'qr' },
    });
    expect(arrival.status).toBe(202);
    const [hit] = await waitFor(async () => {
      const found = await searchCustomers(db, secrets, { query: visitor!.phone });
      return found.length > 0 && found;
    }, 'the visitor cached from her alert');
    expect(hit?.name).toBe(visitor!.name);
    expect(await db.alerts.get(arrival.body.alertId!)).toBeDefined();
    // Past the hub's next settle and hint window: nothing told this terminal to pull.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await terminal.engine.settled();
    expect((await readSyncState(db, 'customers')).cursor).toBe(cursor);

    // Her entry is in this store's feed: a change to her is hinted here, and pulled.
    const viewed = await callRoute(hub, endpoints.onlineEvents, {
      body: {
        events: [
          {
            id: `ev-${newId()}`,
            customer: { memberCode: visitor!.memberCode },
            type: 'viewed',
            sku: 'DR-1',
            channel: 'app',
            at: new Date().toISOString(),
          },
        ],
      },
    });
    expect(viewed.status).toBe(200);
    await waitFor(
      async () => (await db.customerStore.get(hit!.id))?.online.viewed.length === 1,
      'her change pulled',
    );
    expect(BigInt((await readSyncState(db, 'customers')).cursor)).toBeGreaterThan(BigInt(cursor));
  });

  it('alerts raised while disconnected arrive once after reconnect; live ones once too', async () => {
    const { customers, terminal } = await setup();
    const announced: StoredAlert[] = [];
    terminal.engine.onAlert((e) => {
      if (e.kind === 'new') announced.push(e.alert);
    });
    await terminal.engine.start();
    await waitFor(() => terminal.engine.status.get().online, 'online');

    terminal.engine.stop(); // the terminal drops off the network
    const away = await callRoute(hub, endpoints.presence, {
      body: {
        customer: { memberCode: customers[0]!.memberCode },
        storeId: store.storeId,
        source: 'wifi',
      },
    });
    expect(away.status).toBe(202);

    await terminal.engine.start(); // back: catch-up
    await waitFor(() => announced.some((a) => a.alertId === away.body.alertId!), 'missed alert');
    const live = await callRoute(hub, endpoints.presence, {
      body: {
        customer: { memberCode: customers[1]!.memberCode },
        storeId: store.storeId,
        source: 'qr',
      },
    });
    await waitFor(() => announced.some((a) => a.alertId === live.body.alertId!), 'live alert');
    // Reconnecting again replays the catch-up: nothing is announced twice.
    terminal.engine.stop();
    await terminal.engine.start();
    await waitFor(() => terminal.engine.status.get().online, 'online again');
    await terminal.engine.catchUpAlerts();
    await terminal.engine.settled();
    expect(announced.map((a) => a.alertId).sort()).toEqual(
      [away.body.alertId!, live.body.alertId!].sort(),
    );
    expect(await terminal.db.alerts.get(away.body.alertId!)).toMatchObject({ status: 'open' });
  });

  it('the live channel reconnects by itself after the hub dies or restarts, and claims work', async () => {
    const { customers, terminal } = await setup({ ownHub: true });
    const announced: string[] = [];
    terminal.engine.onAlert((e) => {
      if (e.kind === 'new') announced.push(e.alert.alertId);
    });
    await terminal.engine.start();
    await waitFor(() => terminal.engine.status.get().online, 'online');
    const port = hub.port;

    await hub.kill(); // crash: socket.io's own backoff brings the socket back
    await waitFor(() => !terminal.engine.status.get().online, 'offline');
    hub = await startHub({ dataDir: hub.dataDir, port });
    await waitFor(() => terminal.engine.status.get().online, 'online after crash');

    await hub.stop(); // graceful: the hub disconnects sockets itself, the client must retry
    await waitFor(() => !terminal.engine.status.get().online, 'offline after stop');
    hub = await startHub({ dataDir: hub.dataDir, port });
    await waitFor(() => terminal.engine.status.get().online, 'online after restart');

    const raised = await callRoute(hub, endpoints.presence, {
      body: {
        customer: { memberCode: customers[2]!.memberCode },
        storeId: store.storeId,
        source: 'app',
      },
    });
    await waitFor(() => announced.includes(raised.body.alertId!), 'alert after reconnect');
    const first = await terminal.engine.claimAlert(raised.body.alertId!, store.guide.id);
    const second = await terminal.engine.claimAlert(raised.body.alertId!, store.guide2.id);
    expect(first).toEqual({ ok: true, value: { ok: true } });
    expect(second).toMatchObject({
      ok: true,
      value: {
        ok: false,
        error: { code: 'already_claimed', claimedBy: { guideId: store.guide.id } },
      },
    });
    const claimed = await waitFor(async () => {
      const a = await terminal.db.alerts.get(raised.body.alertId!);
      return a?.status === 'claimed' ? a : undefined;
    }, 'claim reflected in the cache');
    expect(claimed.claimedBy?.guideId).toBe(store.guide.id);
    expect(announced.filter((id) => id === raised.body.alertId!)).toHaveLength(1);
  });

  it('offline orders (hub stopped) reach the restarted hub exactly once', async () => {
    const { terminal } = await setup({ ownHub: true });
    await terminal.engine.syncNow();
    const port = hub.port;
    await hub.stop();
    const orders: Order[] = Array.from({ length: 40 }, () => orderFor(store, 'DR-1'));
    for (const o of orders) expect((await enqueueOrder(terminal.db, o)).ok).toBe(true);
    await terminal.engine.requestDrain();
    expect(terminal.engine.status.get()).toMatchObject({ pendingCount: 40 });
    expect(terminal.engine.status.get().lastError).toMatch(/^network/);

    hub = await startHub({ dataDir: hub.dataDir, port });
    await terminal.engine.requestDrain();
    expect(terminal.engine.status.get()).toMatchObject({ pendingCount: 0, lastError: null });
    await expectHubHasEach(hub, store.terminals[0]!.token, orders);
    expect(await hubOrderCount(hub, store)).toBe(40);
  });

  it('hub SIGKILLed in the middle of a drain: after restart every order is there exactly once', async () => {
    const { terminal: first } = await setup({ ownHub: true });
    const port = hub.port;
    let posts = 0;
    const terminal = first.restart((client) => ({
      ...client,
      postOrders: async (batch) => {
        posts += 1;
        if (posts !== 2) return client.postOrders(batch);
        // Batch 2 is in flight when the hub dies: it may or may not have committed.
        const inFlight = client.postOrders(batch);
        await new Promise((r) => setTimeout(r, 5));
        await hub.kill();
        return inFlight;
      },
    }));
    terminals.push(terminal);
    const orders = Array.from({ length: 1_600 }, () => orderFor(store, 'CO-2'));
    for (const o of orders) await enqueueOrder(terminal.db, o);
    await terminal.engine.requestDrain();
    expect(terminal.engine.status.get().pendingCount).toBeGreaterThan(0);

    hub = await startHub({ dataDir: hub.dataDir, port });
    // An app restart too: a fresh engine resumes from what IndexedDB says is pending.
    const restarted = terminal.restart();
    terminals.push(restarted);
    await restarted.engine.requestDrain();
    expect(restarted.engine.status.get()).toMatchObject({ pendingCount: 0, rejectedCount: 0 });
    await expectHubHasEach(hub, store.terminals[0]!.token, orders);
    expect(await hubOrderCount(hub, store)).toBe(1_600);
  });

  it('hub SIGKILLed in the middle of a pull: after restart the cache has every row, none twice', async () => {
    const { terminal: first } = await setup({ ownHub: true, customers: 2_500, pageSize: 500 });
    const port = hub.port;
    let pages = 0;
    const terminal = first.restart((client) => ({
      ...client,
      pullCustomers: async (after, limit, withTotal) => {
        pages += 1;
        if (pages === 3) await hub.kill();
        return client.pullCustomers(after, limit, withTotal);
      },
    }));
    terminals.push(terminal);
    await terminal.engine.pullFeed('customers').catch(() => undefined);
    const partial = await terminal.db.customerStore.count();
    expect(partial).toBe(1_000);

    hub = await startHub({ dataDir: hub.dataDir, port });
    const restarted = terminal.restart();
    terminals.push(restarted);
    await restarted.engine.pullFeed('customers');
    expect(await restarted.db.customerStore.count()).toBe(2_500);
    // rowsDone counts applied rows: equal to the total means no page was applied twice.
    expect((await restarted.db.syncState.get('customers'))?.rowsDone).toBe(2_500);
  });

  it('duplicate delivery: an order the hub already has is marked synced, not stored twice', async () => {
    const { terminal } = await setup();
    const order = orderFor(store, 'SK-3');
    await enqueueOrder(terminal.db, order);
    // An earlier send got through but its answer was lost.
    const earlier = await callRoute(
      hub,
      endpoints.postOrders,
      { body: { orders: [order] } },
      { token: store.terminals[0]!.token },
    );
    expect(earlier.status).toBe(200);
    await terminal.engine.requestDrain();
    expect(await terminal.db.outbox.get(order.id)).toMatchObject({ status: 'synced' });
    expect(await hubOrderCount(hub, store)).toBe(1);
  });

  it('a rejected order is kept with the hub reason and stays visible', async () => {
    const { terminal } = await setup();
    const bad = orderFor(store, 'NO-SUCH-SKU');
    const good = orderFor(store, 'DR-1');
    await enqueueOrder(terminal.db, bad);
    await enqueueOrder(terminal.db, good);
    await terminal.engine.requestDrain();
    const rejected = await rejectedEntries(terminal.db);
    expect(rejected.map((e) => e.id)).toEqual([bad.id]);
    expect(rejected[0]!.reason).toMatch(/NO-SUCH-SKU|sku/i);
    expect(terminal.engine.status.get()).toMatchObject({ pendingCount: 0, rejectedCount: 1 });
    expect(await hubOrderCount(hub, store)).toBe(1);

    // IT sees it in the terminal list: the build, and the order waiting for a person on that PC.
    const listed = await callRoute(hub, endpoints.adminListTerminals, {
      query: { store: store.storeId },
    });
    expect(listed.body.items.find((t) => t.id === terminal.terminalId)).toMatchObject({
      app_version: 'dev',
      pending_outbox: 0,
      rejected_outbox: 1,
      status_at: expect.any(String),
    });
    // The other counter never reported.
    expect(listed.body.items.find((t) => t.id !== terminal.terminalId)).toMatchObject({
      app_version: null,
      status_at: null,
    });
  });

  it('an offline registration syncs to the hub customer; a known phone maps to the existing one', async () => {
    const { customers, terminal } = await setup();
    await terminal.engine.syncNow();
    const known = customers[5]!;
    const regId = newId();
    await enqueueRegistration(terminal.db, terminal.secrets, {
      id: regId,
      name: known.name,
      phone: known.phone,
    });
    const order = orderFor(store, 'DR-1', { customerId: regId });
    await enqueueOrder(terminal.db, order);
    await terminal.engine.requestDrain();
    const hits = await searchCustomers(terminal.db, terminal.secrets, { query: known.phone });
    expect(hits).toHaveLength(1);
    expect(hits[0]!.id).not.toBe(regId);
    expect(hits[0]!.provisional).toBe(false);
    const sent = await terminal.db.outbox.get(order.id);
    expect(sent).toMatchObject({ status: 'synced', order: { customerId: hits[0]!.id } });
  });

  it('registrations over the hub lookup limit (429) stay in the outbox, pending, not rejected', async () => {
    const { customers, terminal } = await setup({
      hubEnv: { HUB_REGISTRATION_LOOKUPS_PER_HOUR: '1' },
    });
    await terminal.engine.syncNow();
    // Two members registered again at the counter (a stale cache): the first is a lookup the hub
    // allows, the second is over this terminal's limit, and so is a brand-new customer after it.
    const [first, second] = [newId(), newId()];
    const fresh = newId();
    await enqueueRegistration(terminal.db, terminal.secrets, {
      id: first,
      name: customers[1]!.name,
      phone: customers[1]!.phone,
    });
    await terminal.engine.requestDrain();
    await enqueueRegistration(terminal.db, terminal.secrets, {
      id: second,
      name: customers[2]!.name,
      phone: customers[2]!.phone,
    });
    await enqueueRegistration(terminal.db, terminal.secrets, {
      id: fresh,
      name: '新客',
      phone: '13911112222',
    });
    await terminal.engine.requestDrain();
    expect(await terminal.db.outbox.get(first)).toMatchObject({ status: 'synced' });
    for (const id of [second, fresh])
      expect(await terminal.db.outbox.get(id)).toMatchObject({ status: 'pending' });
    expect(await rejectedEntries(terminal.db)).toEqual([]);
    expect(terminal.engine.status.get().pendingCount).toBe(2);
    expect(terminal.engine.status.get().lastError).toMatch(/existing members by phone/);
  });

  it('a revoked terminal wipes its local database and secrets', async () => {
    const { terminal } = await setup();
    await terminal.engine.start();
    await waitFor(async () => (await terminal.db.customerStore.count()) === 20, 'initial sync');
    await enqueueOrder(terminal.db, orderFor(store, 'DR-1'));
    const r = await callRoute(hub, endpoints.adminRevokeTerminal, {
      params: { id: terminal.terminalId },
    });
    expect(r.status).toBeLessThan(300);
    await waitFor(() => terminal.engine.status.get().revoked, 'revoked');
    expect(terminal.secrets.cleared).toBe(true);
    const names = (await terminal.idb.indexedDB.databases()).map((d) => d.name);
    expect(names).not.toContain(terminal.db.name);

    // A second terminal that only learns of it over REST (401) is wiped the same way.
    const other = await enrolTerminal(hub, store, { index: 1 });
    terminals.push(other);
    await callRoute(hub, endpoints.adminRevokeTerminal, { params: { id: other.terminalId } });
    await other.engine.syncNow();
    expect(other.engine.status.get().revoked).toBe(true);
  });
});
