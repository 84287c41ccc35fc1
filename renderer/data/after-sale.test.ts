import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import type { StoreOrder } from '../../shared/protocol';
import { loadAfterSaleOrder } from './after-sale';
import { freshDb, makeProduct } from './testing';

/** An order as a hub answers `GET /orders/:id`, with the lines given. */
const storeOrder = (lines: StoreOrder['lines']): StoreOrder => ({
  id: newId(),
  createdAt: '2026-11-02T09:30:00.000Z',
  terminal: { id: newId(), name: 'Counter 2' },
  guide: { id: newId(), name: '王芳' },
  customerId: null,
  paymentMethod: 'wechat',
  total: lines.reduce((sum, l) => sum + l.quantity * l.unitPrice - l.discount, 0),
  units: lines.reduce((sum, l) => sum + l.quantity, 0),
  lines,
  afterSale: { refunded: 0, returnedUnits: 0, voided: false, returnedByLine: lines.map(() => 0) },
});
const line = (sku: string, over: Partial<StoreOrder['lines'][number]> = {}) => ({
  sku,
  name: '棉T恤',
  size: 'XL',
  quantity: 1,
  unitPrice: 9_990,
  discount: 0,
  ...over,
});

describe('an order for after-sale, from the hub', () => {
  it("takes each line's colour from the hub; from an older hub (no colour) from this terminal's catalog", async () => {
    const db = freshDb();
    await db.products.bulkPut([
      makeProduct({ sku: 'TEE-BLU-XL', colour: '雾霾蓝', size: 'XL' }),
      makeProduct({ sku: 'TEE-WHT-XL', colour: '白色', size: 'XL' }),
    ]);
    const colours = async (order: StoreOrder) =>
      (await loadAfterSaleOrder(db, async () => ({ ok: true, value: order }), order.id))?.lines.map(
        (l) => l.colour,
      );

    // This hub names the colour, also of a SKU not cached here, and says when there is none.
    expect(
      await colours(
        storeOrder([
          line('TEE-BLU-XL', { colour: '雾霾蓝' }),
          line('TEE-GRY-XL', { colour: '烟灰' }),
          line('TEE-WHT-XL', { colour: null }),
        ]),
      ),
    ).toEqual(['雾霾蓝', '烟灰', null]);
    // An older hub's lines carry none: the catalog's, where this terminal has the SKU.
    expect(
      await colours(storeOrder([line('TEE-BLU-XL'), line('TEE-GRY-XL'), line('TEE-WHT-XL')])),
    ).toEqual(['雾霾蓝', null, '白色']);
  });
});
