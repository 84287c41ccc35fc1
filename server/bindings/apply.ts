import type { BindingRules } from '../../shared/protocol';
import type { Queryable } from '../db/database';
import { newId } from '../../shared/domain/ids';

/** An in-store order the orders feature just stored (never a resend: those are duplicates). */
export type SoldOrder = {
  customerId: string;
  storeId: string;
  /** the guide who sold */
  guideId: string;
  /** the guide who claimed the alert of the visit this order converted, if any */
  claimerId: string | null;
  at: Date;
};

/**
 * Applies the binding rules to a batch of newly stored in-store orders, earliest first (the first
 * guide to sell to an unbound customer binds): each order is a contact of the seller and of the
 * claimer with the customer, then binds the customer if they are unbound. One statement for the
 * whole batch, `apply_order_bindings` (migration 029), which runs `recordContact`, `lapseIfDue`
 * and `bindIfUnbound`'s statements (./service.ts) order by order in the database. Runs in the
 * orders transaction before it takes `lockChangeFeed`: it draws no feed number, and returns the
 * customers whose binding changed, whom the caller must move to the head of the feed under the
 * lock in the same transaction (the orders path does, with their purchase summaries). Only orders
 * stored by this transaction come here, so an order resent by the outbox binds nothing twice.
 */
export async function applyOrderBindings(
  tx: Queryable,
  orders: readonly SoldOrder[],
  rules: BindingRules,
): Promise<Set<string>> {
  if (orders.length === 0) return new Set();
  const rows = await tx.query<{ changed: string }>(
    'select changed::text as changed from apply_order_bindings($1::jsonb, $2, $3)',
    [
      JSON.stringify(
        orders.map((o) => ({
          customer_id: o.customerId,
          store_id: o.storeId,
          guide_id: o.guideId,
          claimer_id: o.claimerId,
          at: o.at.toISOString(),
          // the ids of the events the order may write (UUID v7, as every id the hub makes)
          expired_id: newId(),
          bound_id: newId(),
        })),
      ),
      rules.servedAndBought,
      rules.expiryDays,
    ],
  );
  return new Set(rows.map((r) => r.changed));
}
