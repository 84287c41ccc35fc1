import { clampTo, MAX_COUNT, MAX_SPEND_FEN, saturatingAdd } from '../../shared/domain/limits';
import type { PurchaseSummary, StoreSummary } from '../../shared/protocol';
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
    entry.orders = saturatingAdd(entry.orders, 1, MAX_COUNT);
    entry.spend = saturatingAdd(entry.spend, purchase.total, MAX_SPEND_FEN);
    entry.list.push(purchase);
    byCustomer.set(customerId, entry);
  }
  // Read, merge in JS, write back: cheaper than re-sorting JSON per row in SQL. Writers of
  // customer rows hold the change-feed lock; `for update` guards the read-modify-write anyway,
  // taking the row locks in id order so it can never wait in a cycle with another id-ordered locker.
  const current = await tx.query<{ id: string; in_store: Partial<StoreSummary> | null }>(
    `select id::text as id, in_store from customers
      where id in (select jsonb_array_elements_text($1::jsonb)::uuid)
      order by id
      for update`,
    [JSON.stringify([...byCustomer.keys()])],
  );
  const rows = current.map((c) => {
    const added = byCustomer.get(c.id)!;
    const before = c.in_store ?? {};
    const inStore: StoreSummary = {
      ...before,
      // Saturating: the feed schema's ceiling is the same constant, so no run of valid orders can
      // make this customer's feed row one that terminals refuse (issue #12).
      storeOrders: saturatingAdd(clampTo(before.storeOrders, MAX_COUNT), added.orders, MAX_COUNT),
      storeSpend: saturatingAdd(
        clampTo(before.storeSpend, MAX_SPEND_FEN),
        added.spend,
        MAX_SPEND_FEN,
      ),
      lastPurchases: newestFirst([...added.list, ...(before.lastPurchases ?? [])]).slice(
        0,
        LAST_PURCHASES_KEPT,
      ),
    };
    return { id: c.id, in_store: inStore };
  });
  return writeInStoreSummaries(tx, rows);
}

/**
 * Writes customers' new in-store summaries in one statement, moving each to the head of the
 * change feed (the caller holds `lockChangeFeed`). Returns the highest sequence drawn, or null.
 * Shared by purchases (here) and returns (server/returns/customer-spend.ts).
 */
export async function writeInStoreSummaries(
  tx: Queryable,
  rows: readonly { id: string; in_store: StoreSummary }[],
): Promise<string | null> {
  const updated = await tx.query<{ seq: string }>(
    `update customers c set seq = nextval('change_seq'), updated_at = now(), in_store = x.in_store
       from jsonb_to_recordset($1::jsonb) as x(id uuid, in_store jsonb)
      where c.id = x.id
      returning c.seq::text as seq`,
    [JSON.stringify(rows)],
  );
  let max: bigint | null = null;
  for (const r of updated) {
    const seq = BigInt(r.seq);
    if (max === null || seq > max) max = seq;
  }
  return max === null ? null : max.toString();
}

/** Newest purchase first; ties (same instant) broken by id so the order is deterministic. */
function newestFirst(list: PurchaseSummary[]): PurchaseSummary[] {
  return list.sort(
    (a, b) => Date.parse(b.at) - Date.parse(a.at) || b.orderId.localeCompare(a.orderId),
  );
}
