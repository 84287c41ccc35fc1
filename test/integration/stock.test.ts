import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { endpoints, feedPage, productItem, type Order } from '../../shared/protocol';
import { hubApi, must } from '../support/api';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { rawCall, routePath } from '../support/http';
import type { HubProcess } from '../support/hub-process';
import { connectTerminal, received } from '../support/terminal-socket';

/**
 * Stores on the equator and the prime meridian, so distances are easy to work out by hand: one
 * degree of a great circle is R·π/180 with the hub's mean Earth radius R = 6,371,008.8 m, i.e.
 * 111,195.08 m; two degrees 222,390.16 m; three 333,585.24 m.
 */
const ONE_DEGREE_M = 111_195;

describeOnBackends('stock truth and styles', (backend) => {
  let hub: HubProcess;
  let here: StoreFixture;
  let east1: StoreFixture; // 1° east: 111,195 m
  let west2: StoreFixture; // 2° west: 222,390 m
  let north3: StoreFixture; // 3° north: 333,585 m
  let empty: StoreFixture; // 0.5° east, but none in stock
  beforeAll(async () => {
    hub = await backend.startHub();
    // Created far-first, so creation order is not the answer's order.
    north3 = await createStoreFixture(hub, { name: 'North 3', lat: 3, lng: 0 });
    here = await createStoreFixture(hub, { name: 'Here', lat: 0, lng: 0 });
    west2 = await createStoreFixture(hub, { name: 'West 2', lat: 0, lng: -2 });
    empty = await createStoreFixture(hub, { name: 'Empty', lat: 0, lng: 0.5 });
    east1 = await createStoreFixture(hub, { name: 'East 1', lat: 0, lng: 1 });
  });
  afterAll(() => backend.cleanup());

  const integration = () => hubApi(hub);
  const terminal = (store: StoreFixture, n = 0) =>
    hubApi(hub, { token: store.terminals[n]!.token });

  const importStyle = async (code: string, stock: Record<string, number>) => {
    const products = ['S', 'M', 'L'].map((size) => ({
      sku: `${code}-BLK-${size}`,
      name: `测试衬衫 黑色`,
      category: '衬衫',
      size,
      colour: '黑色',
      styleCode: code,
      price: 29_900,
      stock,
    }));
    await must(integration().call(endpoints.importProducts, { body: { products } }), 'import');
  };

  /** This store's row for `sku`, read the way a terminal does: the catalog feed from 0. */
  const feedRow = async (store: StoreFixture, sku: string, after = '0') => {
    const page = await must(
      terminal(store).call(endpoints.syncCatalog, {
        query: { after, limit: 5000, withTotal: false },
      }),
    );
    const parsed = feedPage(productItem).parse(page);
    return { row: parsed.items.find((p) => p.sku === sku), cursor: parsed.cursor };
  };

  const order = (store: StoreFixture, sku: string, quantity: number): Order => ({
    id: newId(),
    storeId: store.storeId,
    terminalId: store.terminals[0]!.id,
    guideId: store.guide.id,
    paymentMethod: 'wechat',
    createdAt: new Date().toISOString(),
    lines: [{ sku, quantity, unitPrice: 29_900, discount: 0 }],
  });
  const send = (store: StoreFixture, orders: Order[]) =>
    must(terminal(store).call(endpoints.postOrders, { body: { orders } }), 'orders');

  it('carries the style code and size kind (guessed from the category when left out)', async () => {
    await importStyle('ST-STYLE', { [here.storeId]: 4 });
    const { row } = await feedRow(here, 'ST-STYLE-BLK-M');
    expect(row).toMatchObject({
      styleCode: 'ST-STYLE',
      sizeKind: 'top',
      size: 'M',
      colour: '黑色',
      stock: 4,
    });
  });

  it('moves the store’s stock once per order, however often the outbox resends it', async () => {
    await importStyle('ST-ONCE', { [here.storeId]: 5, [east1.storeId]: 5 });
    const sku = 'ST-ONCE-BLK-M';
    const { cursor: before } = await feedRow(here, sku);
    const socket = await connectTerminal(hub, here.terminals[1]!.token);
    try {
      const sale = order(here, sku, 2);
      expect((await send(here, [sale])).results[0]!.status).toBe('accepted');
      // The other counter of the store is told, and its pull after the signal has the figure.
      const signal = await received<{ cursor: string }>(socket, 'catalog:changed');
      const after = await feedRow(here, sku, before);
      expect(after.row?.stock).toBe(3);
      expect(BigInt(after.cursor) >= BigInt(signal.cursor)).toBe(true);

      // A resend after a lost answer, twice at once and once more: duplicates, nothing moves.
      const resends = await Promise.all([send(here, [sale]), send(here, [sale])]);
      expect(resends.map((r) => r.results[0]!.status)).toEqual(['duplicate', 'duplicate']);
      expect((await send(here, [sale, sale])).results.map((r) => r.status)).toEqual([
        'duplicate',
        'duplicate',
      ]);
      expect((await feedRow(here, sku)).row?.stock).toBe(3);
      // The feed did not move for the resends: nothing after the sale's row.
      expect((await feedRow(here, sku, after.cursor)).row).toBeUndefined();
      // Another store's stock is its own.
      expect((await feedRow(east1, sku)).row?.stock).toBe(5);
    } finally {
      socket.close();
    }
  });

  it('moves stock for every line of a batch, two lines of one SKU from the figure the first left', async () => {
    await importStyle('ST-BATCH', { [here.storeId]: 10 });
    const first = order(here, 'ST-BATCH-BLK-S', 1);
    const second = order(here, 'ST-BATCH-BLK-S', 2);
    second.lines.push({ sku: 'ST-BATCH-BLK-S', quantity: 3, unitPrice: 29_900, discount: 0 });
    second.lines.push({ sku: 'ST-BATCH-BLK-L', quantity: 4, unitPrice: 29_900, discount: 0 });
    const { results } = await send(here, [first, second]);
    expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    expect((await feedRow(here, 'ST-BATCH-BLK-S')).row?.stock).toBe(10 - 1 - 2 - 3);
    expect((await feedRow(here, 'ST-BATCH-BLK-L')).row?.stock).toBe(10 - 4);
    expect((await feedRow(here, 'ST-BATCH-BLK-M')).row?.stock).toBe(10);
  });

  it('keeps a sale of more than the store holds, leaves the stock at 0 and says so in the log', async () => {
    await importStyle('ST-OVER', { [here.storeId]: 1 });
    const sale = order(here, 'ST-OVER-BLK-L', 3);
    expect((await send(here, [sale])).results[0]!.status).toBe('accepted');
    expect((await feedRow(here, 'ST-OVER-BLK-L')).row?.stock).toBe(0);
    // The hub's stdout reaches this process on its own time, not with the answer: wait for it.
    const warning = () =>
      hub.logs.find(
        (l) => typeof l.msg === 'string' && l.msg.includes('sold beyond recorded stock'),
      );
    await expect.poll(warning, { timeout: 10_000 }).toBeDefined();
    expect(warning()).toMatchObject({ lines: 1, terminalId: here.terminals[0]!.id });
    // Another sale from 0 stays at 0 (never below zero), and is recorded too.
    expect((await send(here, [order(here, 'ST-OVER-BLK-L', 1)])).results[0]!.status).toBe(
      'accepted',
    );
    expect((await feedRow(here, 'ST-OVER-BLK-L')).row?.stock).toBe(0);
    // A delivery booked by head office is the new truth.
    await importStyle('ST-OVER', { [here.storeId]: 6 });
    expect((await feedRow(here, 'ST-OVER-BLK-L')).row?.stock).toBe(6);
  });

  it('a rejected order moves nothing', async () => {
    await importStyle('ST-REJ', { [here.storeId]: 3 });
    const bad = { ...order(here, 'ST-REJ-BLK-M', 1), guideId: newId() };
    expect((await send(here, [bad])).results[0]!.status).toBe('rejected');
    expect((await feedRow(here, 'ST-REJ-BLK-M')).row?.stock).toBe(3);
  });

  it('lists the other stores holding a product, nearest first, with the distance', async () => {
    await importStyle('ST-NEAR', {
      [here.storeId]: 2,
      [north3.storeId]: 7,
      [west2.storeId]: 1,
      [east1.storeId]: 4,
      [empty.storeId]: 0,
    });
    const answer = await must(
      terminal(here).call(endpoints.otherStoresStock, {
        body: { sku: 'ST-NEAR-BLK-M', limit: 10 },
      }),
    );
    expect(answer.sku).toBe('ST-NEAR-BLK-M');
    expect(answer.stores.map((s) => [s.name, s.stock])).toEqual([
      ['East 1', 4],
      ['West 2', 1],
      ['North 3', 7],
    ]);
    const [d1, d2, d3] = answer.stores.map((s) => s.distanceM);
    expect(Math.abs(d1! - ONE_DEGREE_M)).toBeLessThanOrEqual(1);
    expect(Math.abs(d2! - 222_390)).toBeLessThanOrEqual(1);
    expect(Math.abs(d3! - 333_585)).toBeLessThanOrEqual(1);

    // Bounded: the nearest `limit` only.
    const two = await must(
      terminal(here).call(endpoints.otherStoresStock, {
        body: { sku: 'ST-NEAR-BLK-M', limit: 2 },
      }),
    );
    expect(two.stores.map((s) => s.name)).toEqual(['East 1', 'West 2']);
    // Seen from another store, "here" is one of the others and the order changes with it.
    const fromWest = await must(
      terminal(west2).call(endpoints.otherStoresStock, {
        body: { sku: 'ST-NEAR-BLK-M', limit: 10 },
      }),
    );
    expect(fromWest.stores.map((s) => s.name)).toEqual(['Here', 'East 1', 'North 3']);
    // An unknown SKU: no stores, not an error.
    const none = await must(
      terminal(here).call(endpoints.otherStoresStock, { body: { sku: 'NOPE', limit: 10 } }),
    );
    expect(none.stores).toEqual([]);
  });

  it('asks for a terminal token and a bounded limit', async () => {
    // Raw on purpose: no credential, and bodies the typed client would not build.
    const url = routePath(endpoints.otherStoresStock);
    const body = { sku: 'ST-NEAR-BLK-M' };
    expect((await rawCall(hub, 'POST', url, body)).status).toBe(401);
    const token = here.terminals[0]!.token;
    const tooMany = await rawCall<{ error: { code: string } }>(
      hub,
      'POST',
      url,
      { ...body, limit: 500 },
      { token },
    );
    expect([tooMany.status, tooMany.body.error.code]).toEqual([400, 'invalid_input']);
    expect((await rawCall(hub, 'POST', url, { sku: '' }, { token })).status).toBe(400);
  });
});
