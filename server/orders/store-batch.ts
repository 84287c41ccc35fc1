import type { AlertUpdate, BindingRules, Order, PurchaseSummary } from '../../shared/protocol';
import { applyOrderBindings, type SoldOrder } from '../bindings/apply';
import { touchCustomers } from '../bindings/service';
import { feedLockedTail, type Db, type Queryable } from '../db/database';
import { claimStockMoves, moveKey, settleStockMoves, type StockMove } from '../stock/movements';
import { convertVisits, type ConversionInput } from './conversions';
import { addPurchasesToCustomers, type CustomerPurchase } from './customer-summary';
import type { AlertRef, ProductRef } from './lookups';

/** An order that passed every business rule, ready to insert. */
export type Candidate = {
  order: Order;
  customerId: string | null;
  alert: AlertRef | null;
  products: ProductRef[];
  total: number;
  units: number;
};

export type StoredBatch = {
  accepted: Set<string>;
  alertUpdates: AlertUpdate[];
  customersCursor: string | null;
  catalogCursor: string | null;
  stockShortfalls: number;
};

/**
 * A claimed order whose row was there already: only an order stored without its stock movements
 * (before migration 014) can do that. Rolled back and retried (as a serialization failure): the
 * retry's lookup then answers `duplicate`.
 */
class ClaimMismatch extends Error {
  readonly code = '40001';
  constructor() {
    super('order claimed by its stock movements was already stored');
    this.name = 'ClaimMismatch';
  }
}

/**
 * Stores the candidates in one transaction that takes the change-feed lock late
 * (`feedLockedTail`). Before the lock — nothing here draws a `change_seq` number, and nothing
 * locks a customer or store-scope row a lock holder could need:
 * 1. the stock movements go in (`on conflict do nothing`): the claim. An order is stored by the
 *    transaction whose movements were inserted; a concurrent copy of the same id waits on those
 *    rows and then finds them, so it is a duplicate (exactly once, as the orders primary key was);
 * 2. visits and alerts convert (no `seq`), the order's visit is kept for its row;
 * 3. the binding rules apply (contacts, binds, lapses) without moving customers on the feed.
 * Then the lock, and only statements that draw numbers or must follow the lock: the orders and
 * their lines (the insert's trigger enters the customer into the store's scope and its foreign key
 * locks the customer row, so it stays after the lock), the stock (`store_products.seq`), the
 * customers' summaries (`customers.seq`, which also carries the bindings made above).
 */
export function storeCandidates(
  db: Db,
  storeId: string,
  timezone: string,
  rules: BindingRules,
  candidates: Candidate[],
): Promise<StoredBatch> {
  return feedLockedTail(db, async (tx, lockFeed) => {
    const moves = candidates.flatMap((c) =>
      c.order.lines.map((l, i): StockMove => ({
        storeId,
        productId: c.products[i]!.id,
        orderId: c.order.id,
        lineNo: i + 1,
        reason: 'sale',
        quantity: l.quantity,
      })),
    );
    const fresh = await claimStockMoves(tx, moves);
    // Every order has lines, all claimed by one statement: its first line says whether it is new.
    const stored = candidates.filter((c) =>
      fresh.has(moveKey({ orderId: c.order.id, lineNo: 1, reason: 'sale' })),
    );
    const accepted = new Set(stored.map((c) => c.order.id));
    const ours = moves.filter((m) => accepted.has(m.orderId));
    // A copy of a stored id with more lines than the original claims its extra lines only: they
    // are not this order's to keep.
    const strays = moves.filter((m) => !accepted.has(m.orderId) && fresh.has(moveKey(m)));
    if (strays.length > 0) await dropMoves(tx, strays);
    if (stored.length === 0)
      return {
        accepted,
        alertUpdates: [],
        customersCursor: null,
        catalogCursor: null,
        stockShortfalls: 0,
      };

    const withCustomer = stored.filter(
      (c): c is Candidate & { customerId: string } => c.customerId !== null,
    );
    const { visitByOrder, alertUpdates } = await convertVisits(
      tx,
      storeId,
      timezone,
      withCustomer.map((c): ConversionInput => ({
        orderId: c.order.id,
        customerId: c.customerId,
        createdAt: new Date(c.order.createdAt),
        alertVisitId: c.alert?.visitId ?? null,
      })),
    );
    // The guide's own customers: contact with the bound guide, and a first sale binds (rules in
    // server/bindings/). The summaries below move these customers on the feed.
    const claimers = new Map(alertUpdates.map((u) => [u.orderId, u.claimedBy?.guideId ?? null]));
    const rebound = await applyOrderBindings(
      tx,
      withCustomer.map((c): SoldOrder => ({
        customerId: c.customerId,
        storeId,
        guideId: c.order.guideId,
        claimerId: claimers.get(c.order.id) ?? null,
        at: new Date(c.order.createdAt),
      })),
      rules,
    );

    await lockFeed();
    await insertOrders(tx, stored, visitByOrder);
    const stock = await settleStockMoves(tx, ours, fresh);
    const summaries = await addPurchasesToCustomers(
      tx,
      withCustomer.map((c): CustomerPurchase => ({
        customerId: c.customerId,
        purchase: purchaseOf(c),
      })),
    );
    // Every rebound customer bought in this batch, so the summaries moved them already; kept as
    // a guard should the two sets ever differ.
    const summarised = new Set(withCustomer.map((c) => c.customerId));
    const extra = await touchCustomers(
      tx,
      [...rebound].filter((id) => !summarised.has(id)),
    );
    return {
      accepted,
      alertUpdates,
      customersCursor: maxSeq(summaries, extra),
      catalogCursor: stock.cursor,
      stockShortfalls: stock.shortfalls,
    };
  });
}

/**
 * The orders and their lines, in one statement. Rows go in id order: two batches that share ids
 * wait on each other in the same order.
 */
async function insertOrders(
  tx: Queryable,
  stored: Candidate[],
  visitByOrder: Map<string, string>,
): Promise<void> {
  const inserted = await tx.query<{ id: string }>(
    `with o as (
       insert into orders (id, store_id, terminal_id, guide_id, customer_id, alert_id, visit_id,
                           payment_method, created_at, total, units)
       select x.id, x.store_id, x.terminal_id, x.guide_id, x.customer_id, x.alert_id, x.visit_id,
              x.payment_method, x.created_at, x.total, x.units
         from jsonb_to_recordset($1::jsonb) as x(id uuid, store_id uuid, terminal_id uuid,
              guide_id uuid, customer_id uuid, alert_id uuid, visit_id uuid, payment_method text,
              created_at timestamptz, total bigint, units int)
        order by x.id
       on conflict (id) do nothing
       returning id),
     l as (
       insert into order_lines (order_id, line_no, sku, product_id, quantity, unit_price, discount)
       select x.order_id, x.line_no, x.sku, x.product_id, x.quantity, x.unit_price, x.discount
         from jsonb_to_recordset($2::jsonb) as x(order_id uuid, line_no int, sku text,
              product_id uuid, quantity int, unit_price bigint, discount bigint)
        where x.order_id in (select id from o))
     select id::text as id from o`,
    [
      JSON.stringify(
        stored.map((c) => ({
          id: c.order.id,
          store_id: c.order.storeId,
          terminal_id: c.order.terminalId,
          guide_id: c.order.guideId,
          customer_id: c.customerId,
          alert_id: c.order.alertId ?? null,
          visit_id: visitByOrder.get(c.order.id) ?? null,
          payment_method: c.order.paymentMethod,
          created_at: new Date(c.order.createdAt).toISOString(),
          total: c.total,
          units: c.units,
        })),
      ),
      JSON.stringify(
        stored.flatMap((c) =>
          c.order.lines.map((l, i) => ({
            order_id: c.order.id,
            line_no: i + 1,
            sku: l.sku,
            product_id: c.products[i]!.id,
            quantity: l.quantity,
            unit_price: l.unitPrice,
            discount: l.discount,
          })),
        ),
      ),
    ],
  );
  if (inserted.length !== stored.length) throw new ClaimMismatch();
}

async function dropMoves(tx: Queryable, moves: StockMove[]): Promise<void> {
  await tx.query(
    `delete from stock_movements sm
       using jsonb_to_recordset($1::jsonb) as x(order_id uuid, line_no int, reason text)
      where sm.order_id = x.order_id and sm.line_no = x.line_no and sm.reason = x.reason`,
    [
      JSON.stringify(
        moves.map((m) => ({ order_id: m.orderId, line_no: m.lineNo, reason: m.reason })),
      ),
    ],
  );
}

function maxSeq(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return BigInt(a) >= BigInt(b) ? a : b;
}

function purchaseOf(c: Candidate): PurchaseSummary {
  return {
    orderId: c.order.id,
    storeId: c.order.storeId,
    channel: 'store',
    at: new Date(c.order.createdAt).toISOString(),
    total: c.total,
    items: c.order.lines.map((l, i) => ({
      sku: l.sku,
      name: c.products[i]!.name,
      quantity: l.quantity,
    })),
  };
}
