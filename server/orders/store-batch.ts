import type { AlertUpdate, BindingRules, Order, PurchaseSummary } from '../../shared/protocol';
import { applyOrderBindings, type SoldOrder } from '../bindings/apply';
import { feedLockedTail, type Db, type Queryable } from '../db/database';
import {
  claimStockMoves,
  moveKey,
  planStockMoves,
  readStock,
  stockKeys,
  type StockMove,
} from '../stock/movements';
import { convertVisits, type ConversionInput } from './conversions';
import {
  inStoreFromText,
  mergePurchases,
  readInStore,
  type CustomerPurchase,
  type InStoreRead,
} from './customer-summary';
import type { AlertRef, ProductRef } from './lookups';

/** An order that passed every business rule, ready to insert. */
export type Candidate = {
  order: Order;
  /** its store's time zone (the store-local day its visit converts on) */
  timezone: string;
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
  /** order id → its lines sold beyond the store's recorded stock (only orders with any) */
  shortfalls: Map<string, number>;
};

/**
 * Stores the candidates — of one store or several, each order id once — in one transaction that
 * takes the change-feed lock late (`feedLockedTail`). Before the lock — nothing here draws a
 * `change_seq` number, and nothing locks a customer or store-scope row a lock holder could need:
 * 1. the stock movements go in (`on conflict do nothing`): the claim. An order is stored by the
 *    transaction whose movements were inserted; a concurrent copy of the same id waits on those
 *    rows and then finds them, so it is a duplicate (exactly once, as the orders primary key was);
 * 2. visits and alerts convert (no `seq`), the order's visit is kept for its row;
 * 3. the binding rules apply (contacts, binds, lapses) without moving customers on the feed;
 * 4. the stores' stock figures and the customers' summaries are read, plainly (no row lock), and
 *    the ledger and the new summaries computed from them (`planStockMoves`, `mergePurchases`).
 * Then ONE statement, `order_batch_tail` (migrations 027, 028), does everything that draws numbers
 * or must follow the lock, in the database without a round trip to this process in between: it
 * takes the lock, locks the stock and customer rows (waiting at most `TAIL_ROW_LOCK_TIMEOUT` for
 * them, then 55P03, retried like a deadlock), checks they still hold what step 4 read (the
 * summaries as their stored text: exact, whatever numbers they hold), and writes
 * the orders and their lines (the insert's trigger enters the customer into the store's scope and
 * its foreign key locks the customer row, so it stays after the lock), the ledger and the stock
 * (`store_products.seq`), the customers' summaries (`customers.seq`, which also carries the
 * bindings made above). When a writer committed in between, it writes nothing and answers the
 * current figures (holding the lock): the batch recomputes them and calls again, which then holds.
 * So the lock is held for that statement and the commit — two round trips, three after a stale
 * read — instead of six.
 */
export function storeCandidates(
  db: Db,
  rules: BindingRules,
  candidates: Candidate[],
): Promise<StoredBatch> {
  return feedLockedTail(db, async (tx) => {
    const moves = candidates.flatMap((c) =>
      c.order.lines.map((l, i): StockMove => ({
        storeId: c.order.storeId,
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
        shortfalls: new Map(),
      };

    const withCustomer = stored.filter(
      (c): c is Candidate & { customerId: string } => c.customerId !== null,
    );
    const { visitByOrder, alertUpdates } = await convertVisits(
      tx,
      withCustomer.map((c): ConversionInput => ({
        orderId: c.order.id,
        customerId: c.customerId,
        storeId: c.order.storeId,
        timezone: c.timezone,
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
        storeId: c.order.storeId,
        guideId: c.order.guideId,
        claimerId: claimers.get(c.order.id) ?? null,
        at: new Date(c.order.createdAt),
      })),
      rules,
    );

    // Read (plainly: no row lock before the feed lock) and compute what the tail writes; the
    // tail checks the figures it was computed from under the lock (migrations 027, 028).
    const purchases = withCustomer.map((c): CustomerPurchase => ({
      customerId: c.customerId,
      purchase: purchaseOf(c),
    }));
    const keys = stockKeys(ours);
    const customerIds = [...new Set(purchases.map((p) => p.customerId))];
    const stockRead = await readStock(tx, keys, false);
    const inStore = await readInStore(tx, customerIds, false);
    let plan = planTail(ours, fresh, stockRead, customerIds, purchases, inStore);
    // Every rebound customer bought in this batch, so the summaries move them already; kept as
    // a guard should the two sets ever differ.
    const summarised = new Set(customerIds);
    const touch = [...rebound].filter((id) => !summarised.has(id));
    const orders = JSON.stringify(orderRows(stored, visitByOrder));
    const lines = JSON.stringify(lineRows(stored));
    for (let call = 1; ; call++) {
      const [tail] = await tx.query<TailRow>(
        `select stale, customers_seq, catalog_seq, stock_now, in_store_now
           from order_batch_tail($1::jsonb, $2::jsonb, $3::jsonb, $4::jsonb, $5::jsonb, $6::jsonb)`,
        [
          orders,
          lines,
          JSON.stringify(plan.stock.ledger),
          JSON.stringify(plan.stock.stock),
          JSON.stringify(plan.customers),
          JSON.stringify(touch),
        ],
      );
      if (!tail!.stale)
        return {
          accepted,
          alertUpdates,
          customersCursor: tail!.customers_seq,
          catalogCursor: tail!.catalog_seq,
          shortfalls: shortfallsByOrder(plan.stock.ledger),
        };
      // A writer committed between the read and the lock. The tail holds the feed lock now, and
      // every writer of these figures takes it, so the next call finds the figures it returned.
      if (call >= 3) throw new StaleTail();
      const stock = new Map(
        (tail!.stock_now ?? []).map((r) => [`${r.store_id}|${r.product_id}`, Number(r.stock)]),
      );
      const inStoreNow = (tail!.in_store_now ?? []).map((r) =>
        inStoreFromText({ id: r.id, text: r.in_store_text }),
      );
      plan = planTail(ours, fresh, stock, customerIds, purchases, inStoreNow);
    }
  });
}

type TailRow = {
  stale: boolean;
  customers_seq: string | null;
  catalog_seq: string | null;
  stock_now: { store_id: string; product_id: string; stock: number }[] | null;
  /** `in_store_text`: the stored text (migration 028), what the next call must send back */
  in_store_now: { id: string; in_store_text: string | null }[] | null;
};

/**
 * What `order_batch_tail` writes, from the figures read: the stock plan (`planStockMoves`) and,
 * per customer of the batch, the summary it was computed from as the stored text (`before_text`,
 * null: no row — compared exactly, never through a JS number) and the new one (null: nothing to
 * write).
 */
function planTail(
  moves: StockMove[],
  fresh: ReadonlySet<string>,
  stock: ReadonlyMap<string, number>,
  customerIds: string[],
  purchases: CustomerPurchase[],
  inStore: InStoreRead[],
) {
  const merged = new Map(mergePurchases(purchases, inStore).map((r) => [r.id, r.in_store]));
  const read = new Map(inStore.map((r) => [r.id, r.text]));
  return {
    stock: planStockMoves(moves, fresh, stock),
    customers: customerIds.map((id) => ({
      id,
      before_text: read.get(id) ?? null,
      in_store: merged.get(id) ?? null,
    })),
  };
}

/** The tail found its figures changed under the feed lock more than once: cannot happen while
 * every writer of stock and summaries takes the lock; rolled back and retried if it does. */
class StaleTail extends Error {
  readonly code = '40001';
  constructor() {
    super('order batch tail: stock or summaries changed under the change-feed lock');
    this.name = 'StaleTail';
  }
}

function shortfallsByOrder(ledger: readonly { order_id: string; shortfall: number }[]) {
  const lines = new Map<string, number>();
  for (const l of ledger)
    if (l.shortfall > 0) lines.set(l.order_id, (lines.get(l.order_id) ?? 0) + 1);
  return lines;
}

/** The orders' rows for `order_batch_tail` (inserted in id order, `on conflict do nothing`). */
function orderRows(stored: Candidate[], visitByOrder: Map<string, string>) {
  return stored.map((c) => ({
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
  }));
}

function lineRows(stored: Candidate[]) {
  return stored.flatMap((c) =>
    c.order.lines.map((l, i) => ({
      order_id: c.order.id,
      line_no: i + 1,
      sku: l.sku,
      product_id: c.products[i]!.id,
      quantity: l.quantity,
      unit_price: l.unitPrice,
      discount: l.discount,
    })),
  );
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
