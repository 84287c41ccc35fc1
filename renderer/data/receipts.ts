import type { ProductItem } from '../../shared/protocol';
import type { CachedCustomer } from './customer-rows';
import { getCustomer } from './customers';
import type { OutboxOrder, TerminalDb } from './database';
import { outboxEntry } from './outbox';

export type ReceiptData = {
  entry: OutboxOrder;
  products: Map<string, ProductItem>;
  guideName: string | null;
  customer: CachedCustomer | null;
};

/**
 * A confirmed order with what its receipt shows: its lines' products, the guide's name and the
 * customer as cached (null when the id is not an order of this terminal's outbox). Reads only
 * through Dexie, so a live query over it follows the entry from 待同步 to 已同步.
 */
export async function receiptFor(db: TerminalDb, orderId: string): Promise<ReceiptData | null> {
  const entry = await outboxEntry(db, orderId);
  if (!entry || entry.kind !== 'order') return null;
  const skus = [...new Set(entry.order.lines.map((l) => l.sku))];
  const rows = await db.products.where('sku').anyOf(skus).toArray();
  const guide = await db.staff.get(entry.order.guideId);
  const customer = entry.order.customerId
    ? ((await getCustomer(db, entry.order.customerId)) ?? null)
    : null;
  return {
    entry,
    products: new Map(rows.map((p) => [p.sku, p])),
    guideName: guide?.name ?? null,
    customer,
  };
}
