import type { PurchaseSummary } from '../../shared/protocol';
import type { Queryable } from '../db/database';

/** How many recent purchases a profile keeps (the card shows a few; the feed stays small). */
export const LAST_PURCHASES_KEPT = 10;

export type CustomerPurchase = { customerId: string; purchase: PurchaseSummary };

/**
 * Adds the batch's accepted orders to each customer's in-store summary (orders, spend, newest
 * purchases first) and moves the customer to the head of the change feed, so terminals pull the
 * new summary. Must run inside a transaction that already holds `lockChangeFeed`. Returns the
 * highest sequence drawn, or null when no customer changed.
 */
export async function addPurchasesToCustomers(
  tx: Queryable,
  purchases: CustomerPurchase[],
): Promise<string | null> {
  if (purchases.length === 0) return null;
  const byCustomer = new Map<string, { orders: number; spend: number; list: PurchaseSummary[] }>();
  for (const { customerId, purchase } of purchases) {
    const entry = byCustomer.get(customerId) ?? { orders: 0, spend: 0, list: [] };
    entry.orders += 1;
    entry.spend += purchase.total;
    entry.list.push(purchase);
    byCustomer.set(customerId, entry);
  }
  const rows = [...byCustomer].map(([id, e]) => ({
    id,
    orders: e.orders,
    spend: e.spend,
    purchases: e.list,
  }));
  // `at` is always written by the hub as toISOString(), so text order is time order.
  const updated = await tx.query<{ seq: string }>(
    `update customers c set
        seq = nextval('change_seq'),
        updated_at = now(),
        in_store = c.in_store || jsonb_build_object(
          'storeOrders', coalesce((c.in_store->>'storeOrders')::bigint, 0) + x.orders,
          'storeSpend', coalesce((c.in_store->>'storeSpend')::bigint, 0) + x.spend,
          'lastPurchases', (
            select coalesce(jsonb_agg(p.value order by p.value->>'at' desc, p.value->>'orderId' desc),
                            '[]'::jsonb)
              from (select value
                      from jsonb_array_elements(
                             x.purchases || coalesce(c.in_store->'lastPurchases', '[]'::jsonb))
                     order by value->>'at' desc, value->>'orderId' desc
                     limit $2) p))
       from jsonb_to_recordset($1::jsonb) as x(id uuid, orders int, spend bigint, purchases jsonb)
      where c.id = x.id
      returning c.seq::text as seq`,
    [JSON.stringify(rows), LAST_PURCHASES_KEPT],
  );
  let max: bigint | null = null;
  for (const r of updated) {
    const seq = BigInt(r.seq);
    if (max === null || seq > max) max = seq;
  }
  return max === null ? null : max.toString();
}
