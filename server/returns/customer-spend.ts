import { clampTo, MAX_COUNT, MAX_SPEND_FEN } from '../../shared/domain/limits';
import type { StoreSummary } from '../../shared/protocol';
import type { Queryable } from '../db/database';
import { writeInStoreSummaries } from '../orders/customer-summary';

/** What one return takes off its customer's in-store summary. */
export type SpendBack = {
  customerId: string;
  orderId: string;
  amount: number;
  /** units of each original line returned, by 1-based line number */
  units: Map<number, number>;
  /** the whole order is gone (a void): it no longer counts as an order */
  voided: boolean;
};

/**
 * Takes returns off customers' in-store summaries: spend down by the refund (never below 0), the
 * purchase in `lastPurchases` down by the refund and the units, a void's purchase removed and
 * its order no longer counted. Moves each customer to the head of the change feed so terminals
 * pull the new summary. Runs inside a transaction holding `lockChangeFeed`; returns the highest
 * sequence drawn, or null when no customer changed.
 */
export async function takeReturnsOffCustomers(
  tx: Queryable,
  backs: readonly SpendBack[],
): Promise<string | null> {
  if (backs.length === 0) return null;
  const byCustomer = new Map<string, SpendBack[]>();
  for (const b of backs) byCustomer.set(b.customerId, [...(byCustomer.get(b.customerId) ?? []), b]);
  const current = await tx.query<{ id: string; in_store: Partial<StoreSummary> | null }>(
    `select id::text as id, in_store from customers
      where id in (select jsonb_array_elements_text($1::jsonb)::uuid)
      order by id
      for update`,
    [JSON.stringify([...byCustomer.keys()])],
  );
  const rows = current.map((c) => {
    const before = c.in_store ?? {};
    let spend = clampTo(before.storeSpend, MAX_SPEND_FEN);
    let orders = clampTo(before.storeOrders, MAX_COUNT);
    let purchases = [...(before.lastPurchases ?? [])];
    for (const b of byCustomer.get(c.id)!) {
      spend = Math.max(0, spend - b.amount);
      if (b.voided) {
        orders = Math.max(0, orders - 1);
        purchases = purchases.filter((p) => p.orderId !== b.orderId);
        continue;
      }
      // Items are the order's lines in order (server/orders/service.ts purchaseOf); a purchase
      // returned in full leaves the list.
      purchases = purchases
        .map((p) =>
          p.orderId !== b.orderId
            ? p
            : {
                ...p,
                total: Math.max(0, p.total - b.amount),
                items: p.items
                  .map((item, i) => ({
                    ...item,
                    quantity: item.quantity - (b.units.get(i + 1) ?? 0),
                  }))
                  .filter((item) => item.quantity > 0),
              },
        )
        .filter((p) => p.items.length > 0);
    }
    const inStore: StoreSummary = {
      ...before,
      storeOrders: orders,
      storeSpend: spend,
      lastPurchases: purchases,
    };
    return { id: c.id, in_store: inStore };
  });
  return writeInStoreSummaries(tx, rows);
}
