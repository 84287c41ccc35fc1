import type { BindingRules } from '../../shared/protocol';
import type { Queryable } from '../db/database';
import { bindIfUnbound, recordContact } from './service';

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

/** The guide a served-and-bought rule binds an unbound customer to, or null. */
export function servingGuide(
  rule: BindingRules['servedAndBought'],
  order: Pick<SoldOrder, 'guideId' | 'claimerId'>,
): string | null {
  switch (rule) {
    case 'off':
      return null;
    case 'seller':
      return order.guideId;
    case 'claimer':
      return order.claimerId;
    case 'claimer_else_seller':
      return order.claimerId ?? order.guideId;
  }
}

/**
 * Applies the binding rules to a batch of newly stored in-store orders, earliest first (the first
 * guide to sell to an unbound customer binds them): each order is a contact of the seller and of
 * the claimer with the customer, then binds the customer if they are unbound. Runs in the orders
 * transaction before it takes `lockChangeFeed`: it draws no feed number, and returns the customers
 * whose binding changed, whom the caller must move to the head of the feed under the lock in the
 * same transaction (the orders path does, with their purchase summaries). Only orders stored by
 * this transaction come here, so an order resent by the outbox binds nothing twice.
 */
export async function applyOrderBindings(
  tx: Queryable,
  orders: readonly SoldOrder[],
  rules: BindingRules,
): Promise<Set<string>> {
  const changed = new Set<string>();
  const sorted = [...orders].sort((a, b) => a.at.getTime() - b.at.getTime());
  for (const order of sorted) {
    for (const guide of new Set([order.guideId, order.claimerId]))
      if (guide !== null) await recordContact(tx, order.customerId, guide, order.at, rules);
    const guideId = servingGuide(rules.servedAndBought, order);
    if (guideId === null) continue;
    const result = await bindIfUnbound(tx, {
      customerId: order.customerId,
      guideId,
      storeId: order.storeId,
      rule: 'served_and_bought',
      at: order.at,
      source: 'hub',
      rules,
      touch: false,
    });
    if (result.changed) changed.add(order.customerId);
  }
  return changed;
}
