import { clampTo, MAX_COUNT, MAX_SPEND_FEN, saturatingAdd } from '../../shared/domain/limits';
import type { PurchaseSummary, StoreSummary } from '../../shared/protocol';
import type { Queryable } from '../db/database';

/** How many recent purchases a profile keeps (the card shows a few; the feed stays small). */
export const LAST_PURCHASES_KEPT = 10;

export type CustomerPurchase = { customerId: string; purchase: PurchaseSummary };

/** A customer's in-store summary as read (`in_store`; older rows may lack fields). */
export type InStoreRow = { id: string; in_store: Partial<StoreSummary> | null };

/** `readInStore`'s row: the summary, and the stored text it was parsed from. */
export type InStoreRead = InStoreRow & { text: string | null };

/**
 * The customers' current in-store summaries. `forUpdate` locks the rows in id order (needs the
 * change-feed lock); without it this is a plain read, which the orders path makes before the lock
 * and has `order_batch_tail` check after it (migrations 027, 028). Each row carries the stored
 * text (`in_store::text`) as well: the check compares that, because the parsed value went through
 * JS doubles and a number beyond 2^53 would never compare equal again.
 */
export async function readInStore(
  tx: Queryable,
  ids: readonly string[],
  forUpdate: boolean,
): Promise<InStoreRead[]> {
  if (ids.length === 0) return [];
  const rows = await tx.query<{ id: string; text: string | null }>(
    `select id::text as id, in_store::text as text from customers
      where id in (select jsonb_array_elements_text($1::jsonb)::uuid)
      order by id${forUpdate ? '\n      for update' : ''}`,
    [JSON.stringify([...new Set(ids)])],
  );
  return rows.map(inStoreFromText);
}

/** A summary read as text (`in_store::text`), parsed; the text is kept for the tail's check. */
export function inStoreFromText(row: { id: string; text: string | null }): InStoreRead {
  return {
    id: row.id,
    in_store: row.text === null ? null : (JSON.parse(row.text) as Partial<StoreSummary> | null),
    text: row.text,
  };
}

/**
 * Adds the batch's accepted orders to each customer's in-store summary (orders, spend, newest
 * purchases first), from `current` (`readInStore`'s rows; a customer without a row is left out).
 * No I/O: `writeInStoreSummaries`, or the orders path's `order_batch_tail`, writes the result and
 * moves the customers to the head of the change feed, so terminals pull the new summary.
 */
export function mergePurchases(
  purchases: readonly CustomerPurchase[],
  current: readonly InStoreRow[],
): { id: string; in_store: StoreSummary }[] {
  const byCustomer = new Map<string, { orders: number; spend: number; list: PurchaseSummary[] }>();
  for (const { customerId, purchase } of purchases) {
    const entry = byCustomer.get(customerId) ?? { orders: 0, spend: 0, list: [] };
    entry.orders = saturatingAdd(entry.orders, 1, MAX_COUNT);
    entry.spend = saturatingAdd(entry.spend, purchase.total, MAX_SPEND_FEN);
    entry.list.push(purchase);
    byCustomer.set(customerId, entry);
  }
  // Read, merge in JS, write back: cheaper than re-sorting JSON per row in SQL.
  return current.flatMap((c) => {
    const added = byCustomer.get(c.id);
    if (!added) return [];
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
    return [{ id: c.id, in_store: inStore }];
  });
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
