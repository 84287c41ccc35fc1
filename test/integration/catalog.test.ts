import type { z } from 'zod';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { productUpsert } from '../../shared/protocol';
import {
  endpoints,
  feedPage,
  productItem,
  staffResponse,
  type ProductItem,
  type StaffMember,
} from '../../shared/protocol';
import { describeOnBackends } from '../support/backends';
import { connected, openTerminalSocket } from '../support/terminal-socket';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { rawCall, routePath } from '../support/http';
import { callRoute } from '../support/api';
import type { HubProcess } from '../support/hub-process';

type Page<T> = { items: T[]; cursor: string; hasMore: boolean; total: number };
type ErrorReply = { error: { code: string; message: string; details?: unknown } };

describeOnBackends('catalog sync', (backend) => {
  let hub: HubProcess;
  let a: StoreFixture;
  let b: StoreFixture;
  beforeAll(async () => {
    hub = await backend.startHub();
    a = await createStoreFixture(hub, { name: 'Shanghai Nanjing Rd' });
    b = await createStoreFixture(hub, { name: 'Hangzhou West Lake' });
  });
  afterAll(() => backend.cleanup());

  const pull = async (store: StoreFixture, after = '0', limit = 1000) => {
    const r = await callRoute(
      hub,
      endpoints.syncCatalog,
      { query: { after, limit } },
      { token: store.terminals[0]!.token },
    );
    // Every page honours the shared wire contract the terminal validates against.
    if (r.status === 200) expect(feedPage(productItem).safeParse(r.body).success).toBe(true);
    return { ...r, body: r.body as Page<ProductItem> };
  };
  const upsert = (products: z.input<typeof productUpsert>[]) =>
    callRoute(hub, endpoints.importProducts, { body: { products } });

  it('refuses integration and sync calls without credentials', async () => {
    expect(
      (await rawCall(hub, 'POST', routePath(endpoints.importProducts), { products: [] })).status,
    ).toBe(401);
    expect(
      (
        await callRoute(
          hub,
          endpoints.importProducts,
          { body: { products: [] } },
          { integrationKey: 'wrong-key-0123456789' },
        )
      ).status,
    ).toBe(401);
    expect((await rawCall(hub, 'GET', routePath(endpoints.syncCatalog))).status).toBe(401);
    expect((await rawCall(hub, 'GET', routePath(endpoints.syncStaff))).status).toBe(401);
  });

  it('upserts products and gives each store its own stock', async () => {
    const r = await upsert([
      {
        sku: 'DR-1001-M-RED',
        barcode: '6901234567001',
        name: '真丝连衣裙',
        category: 'dress',
        size: 'M',
        colour: 'red',
        price: 89900,
        stock: { [a.storeId]: 5, [b.storeId]: 2 },
      },
      { sku: 'TS-2001-L', name: '棉质T恤', category: 'top', price: 19900 },
    ]);
    expect(r.status).toBe(200);
    expect(r.body.results).toEqual([
      { id: 'DR-1001-M-RED', status: 'accepted' },
      { id: 'TS-2001-L', status: 'accepted' },
    ]);
    const pa = await pull(a);
    const pb = await pull(b);
    const dressA = pa.body.items.find((p) => p.sku === 'DR-1001-M-RED');
    expect(dressA).toMatchObject({ name: '真丝连衣裙', price: 89900, stock: 5, active: true });
    expect(pb.body.items.find((p) => p.sku === 'DR-1001-M-RED')?.stock).toBe(2);
    // No stock given → the product is still in every store's catalog, with 0 units.
    expect(pa.body.items.find((p) => p.sku === 'TS-2001-L')?.stock).toBe(0);
    expect(pa.body.total).toBe(2);
  });

  it('re-sending the same products is a no-op; a change moves the product in every store feed', async () => {
    const before = (await pull(a)).body.cursor;
    const beforeB = (await pull(b)).body.cursor;
    const same = await upsert([
      { sku: 'TS-2001-L', name: '棉质T恤', category: 'top', price: 19900 },
    ]);
    expect(same.body.results).toEqual([{ id: 'TS-2001-L', status: 'duplicate' }]);
    expect((await pull(a, before)).body.items).toEqual([]);

    // Stock for one store only → only that store's feed moves.
    const stock = await upsert([
      {
        sku: 'TS-2001-L',
        name: '棉质T恤',
        category: 'top',
        price: 19900,
        stock: { [a.storeId]: 7 },
      },
    ]);
    expect(stock.body.results[0]!.status).toBe('accepted');
    expect((await pull(a, before)).body.items.map((p) => [p.sku, p.stock])).toEqual([
      ['TS-2001-L', 7],
    ]);
    expect((await pull(b, beforeB)).body.items).toEqual([]);

    // Price change → every store re-pulls it, stock kept.
    await upsert([{ sku: 'TS-2001-L', name: '棉质T恤', category: 'top', price: 15900 }]);
    const nb = await pull(b, beforeB);
    expect(nb.body.items).toHaveLength(1);
    expect(nb.body.items[0]).toMatchObject({ sku: 'TS-2001-L', price: 15900, stock: 0 });
    expect((await pull(a)).body.items.find((p) => p.sku === 'TS-2001-L')).toMatchObject({
      price: 15900,
      stock: 7,
    });
  });

  it('rejects per item: unknown store, barcode of another SKU', async () => {
    const r = await upsert([
      {
        sku: 'X-1',
        name: 'x',
        category: 'top',
        price: 1,
        stock: { '0190a000-0000-7000-8000-000000000000': 1 },
      },
      { sku: 'X-2', barcode: '6901234567001', name: 'x', category: 'top', price: 1 },
      { sku: 'X-3', name: 'ok', category: 'top', price: 1 },
    ]);
    expect(r.status).toBe(200);
    expect(r.body.results.map((x) => x.status)).toEqual(['rejected', 'rejected', 'accepted']);
    expect(r.body.results[0]!.reason).toMatch(/store/);
    expect(r.body.results[1]!.reason).toMatch(/barcode/);
    const skus = (await pull(a)).body.items.map((p) => p.sku);
    expect(skus).toContain('X-3');
    expect(skus).not.toContain('X-1');
    expect(skus).not.toContain('X-2');
  });

  it('applies a batch in order: a barcode handed from one SKU to another, a SKU sent twice', async () => {
    const base = { category: 'top', price: 5000 };
    await upsert([
      { sku: 'BC-A', barcode: '6900000000011', name: 'A', ...base },
      { sku: 'BC-B', barcode: '6900000000022', name: 'B', ...base },
    ]);
    const r = await upsert([
      { sku: 'BC-A', barcode: '6900000000033', name: 'A', ...base },
      { sku: 'BC-B', barcode: '6900000000011', name: 'B', ...base },
      { sku: 'BC-C', name: 'first', ...base, stock: { [a.storeId]: 1 } },
      { sku: 'BC-C', name: 'second', ...base, stock: { [a.storeId]: 4 } },
    ]);
    expect(r.body.results.map((x) => x.status)).toEqual([
      'accepted',
      'accepted',
      'accepted',
      'accepted',
    ]);
    const items = (await pull(a)).body.items;
    const bySku = (sku: string) => items.filter((p) => p.sku === sku);
    expect(bySku('BC-A').map((p) => p.barcode)).toEqual(['6900000000033']);
    expect(bySku('BC-B').map((p) => p.barcode)).toEqual(['6900000000011']);
    expect(bySku('BC-C').map((p) => [p.name, p.stock])).toEqual([['second', 4]]);
  });

  it('accepts store ids in upper case in the stock map', async () => {
    const r = await upsert([
      {
        sku: 'UP-1',
        name: 'x',
        category: 'top',
        price: 1,
        stock: { [b.storeId.toUpperCase()]: 3 },
      },
    ]);
    expect(r.body.results).toEqual([{ id: 'UP-1', status: 'accepted' }]);
    expect((await pull(b)).body.items.find((p) => p.sku === 'UP-1')?.stock).toBe(3);
  });

  it('tells connected terminals of every store that the catalog changed, after commit', async () => {
    const before = (await pull(b)).body.cursor;
    const socket = openTerminalSocket(hub, b.terminals[1]!.token);
    try {
      await connected(socket);
      const changed = new Promise<{ cursor: string }>((resolve) =>
        socket.on('catalog:changed', (payload) => resolve(payload)),
      );
      await upsert([{ sku: 'LIVE-1', name: '新品', category: 'dress', price: 59900 }]);
      const signal = await changed;
      const next = await pull(b, before);
      expect(next.body.items.map((p) => p.sku)).toEqual(['LIVE-1']);
      expect(BigInt(next.body.cursor) >= BigInt(signal.cursor)).toBe(true);
    } finally {
      socket.close();
    }
  });

  it('answers invalid bodies with 400 and writes nothing', async () => {
    const cursor = (await pull(a)).body.cursor;
    const bad: unknown[] = [
      {},
      { products: [] },
      { products: [{ sku: 'N-1', name: 'x', category: 'top', price: -1 }] },
      { products: [{ sku: 'N-2', name: 'x', category: 'top', price: 1.5 }] },
      { products: [{ sku: 'N-3', name: '', category: 'top', price: 1 }] },
      {
        products: [
          { sku: 'N-4', name: 'x', category: 'top', price: 1, stock: { 'not-a-uuid': 1 } },
        ],
      },
      // one bad item spoils the batch: nothing of it is written
      {
        products: [
          { sku: 'N-5', name: 'fine', category: 'top', price: 1 },
          { sku: 'N-6', name: 'x', category: 'top' },
        ],
      },
    ];
    for (const body of bad) {
      // raw on purpose: bodies the schema refuses
      const r = await rawCall<ErrorReply>(hub, 'POST', routePath(endpoints.importProducts), body, {
        integration: true,
      });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe('invalid_input');
    }
    const r = await rawCall<ErrorReply>(
      hub,
      'POST',
      routePath(endpoints.importProducts),
      '{"products": [',
      {
        integration: true,
      },
    );
    expect(r.status).toBe(400);
    expect((await pull(a, cursor)).body.items).toEqual([]);
  });

  it('rejects a bad feed query with 400', async () => {
    for (const q of ['after=abc', 'limit=0', 'limit=5001', 'after=-1']) {
      // raw on purpose: hostile queries
      const r = await rawCall<ErrorReply>(
        hub,
        'GET',
        `${routePath(endpoints.syncCatalog)}?${q}`,
        undefined,
        { token: a.terminals[0]!.token },
      );
      expect(r.status, q).toBe(400);
      expect(r.body.error.code).toBe('invalid_input');
    }
  });

  it('pages the catalog by cursor', async () => {
    const products = Array.from({ length: 25 }, (_, i) => ({
      sku: `PG-${String(i).padStart(3, '0')}`,
      name: `Item ${i}`,
      category: 'top',
      price: 1000 + i,
      stock: { [b.storeId]: i },
    }));
    await upsert(products);
    const seen: ProductItem[] = [];
    let after = '0';
    let firstTotal: number | null = null;
    for (;;) {
      const r = await pull(b, after, 10);
      firstTotal ??= r.body.total;
      seen.push(...r.body.items);
      after = r.body.cursor;
      if (!r.body.hasMore) break;
    }
    const skus = seen.map((p) => p.sku);
    expect(new Set(skus).size).toBe(skus.length);
    // `total` on the first page is what a progress bar counts down from.
    expect(seen.length).toBe(firstTotal);
    for (const p of products) expect(skus).toContain(p.sku);
    expect(seen.find((p) => p.sku === 'PG-024')?.stock).toBe(24);
  });

  it("lists this store's guides with PIN hashes", async () => {
    const r = await callRoute(hub, endpoints.syncStaff, {}, { token: a.terminals[0]!.token });
    expect(r.status).toBe(200);
    expect(staffResponse.safeParse(r.body).success).toBe(true);
    const staff = r.body.items as StaffMember[];
    expect(staff.map((g) => g.id).sort()).toEqual([a.guide.id, a.guide2.id, a.manager.id].sort());
    expect(staff.every((g) => g.storeId === a.storeId)).toBe(true);
    expect(staff.find((g) => g.id === a.manager.id)?.role).toBe('manager');
    // Memory-hard verifiers only (docs/privacy.md, "PINs"), never a PIN.
    expect(staff.every((g) => /^scrypt\$/.test(g.pinHash))).toBe(true);
    for (const pin of ['480613', '592704', '731586'])
      expect(JSON.stringify(r.body)).not.toContain(pin);
  });
});
