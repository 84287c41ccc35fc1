import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import type { ProductItem } from '../../shared/protocol';
import { productsBySku } from './catalog';
import { watchQuery } from './live';
import { enqueueOrder } from './outbox';
import { freshDb } from './testing';

const SKU = 'SGTP01-WHT-M';
const product: ProductItem = {
  id: newId(),
  seq: '1',
  sku: SKU,
  barcode: null,
  name: '真丝衬衫',
  category: '衬衫',
  size: 'M',
  colour: '白色',
  styleCode: 'SGTP01',
  sizeKind: 'top',
  price: 59_900,
  stock: 4,
  active: true,
  launchedAt: null,
};

/** Stock of the SKU as a live query sees it: every value it emitted, in order. */
function watchStock(db: ReturnType<typeof freshDb>) {
  const seen: number[] = [];
  const stop = watchQuery(() => productsBySku(db, [SKU]), {
    next: (products) => seen.push(products.get(SKU)!.stock),
    error: (e: unknown) => {
      throw e;
    },
  });
  return { seen, stop };
}

/** Polls until `check` holds, for at most 10 s (the assertions after it say what was expected). */
const until = async (check: () => boolean) => {
  const deadline = Date.now() + 10_000;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
};

describe('stock holds and the screens that watch the catalog', () => {
  it('a sale written with strict durability reaches live queries open now and opened later', async () => {
    const db = freshDb();
    await db.products.put(product);
    // A screen that stays open (the arrival card, the 360) watches the figure.
    const open = watchStock(db);
    await until(() => open.seen.length > 0);
    expect(open.seen).toEqual([4]);

    // The order and its hold go around Dexie (one strict IndexedDB transaction, writeStrict).
    const sale = await enqueueOrder(db, {
      id: newId(),
      storeId: newId(),
      terminalId: db.terminalId,
      guideId: newId(),
      paymentMethod: 'wechat',
      createdAt: new Date().toISOString(),
      lines: [{ sku: SKU, quantity: 2, unitPrice: 59_900, discount: 0 }],
    });
    expect(sale.ok).toBe(true);

    // Offline nothing else writes: the open screen must hear of the hold by itself…
    await until(() => open.seen.at(-1) === 2);
    expect(open.seen.at(-1)).toBe(2);
    // …and a screen opened now must not be served the figure cached before the sale.
    const later = watchStock(db);
    await until(() => later.seen.length > 0);
    expect(later.seen).toEqual([2]);
    open.stop();
    later.stop();
  });
});
