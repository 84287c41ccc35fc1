import { orderTotals } from '../../shared/domain/money';
import { resolveLiveCustomers } from '../customers/merge-chain';
import type {
  AlertUpdate,
  ItemResult,
  Order,
  PurchaseSummary,
  RejectCode,
} from '../../shared/protocol';
import type { TerminalPrincipal } from '../auth/guards';
import { applyOrderBindings, type SoldOrder } from '../bindings/apply';
import { loadBindingRules } from '../bindings/rules';
import { changeFeedTransaction, type Db } from '../db/database';
import { retryOnLockConflict, type OnRetry } from '../db/lock-retry';
import { convertVisits, type ConversionInput } from './conversions';
import { addPurchasesToCustomers, type CustomerPurchase } from './customer-summary';
import { applyStockMoves, type StockMove } from '../stock/movements';
import {
  activeGuides,
  alertsById,
  existingOrderIds,
  productsBySku,
  storeTimezone,
  type AlertRef,
  type ProductRef,
} from './lookups';

export type IngestOutcome = {
  /** one result per submitted order, in the submitted order */
  results: ItemResult[];
  /** alerts the batch converted, to broadcast to their store after commit */
  alertUpdates: AlertUpdate[];
  /** the customer feed's new head when customer summaries changed */
  customersCursor: string | null;
  /** the store's catalog feed head when the batch's sales moved its stock */
  catalogCursor: string | null;
  /** order lines sold beyond the store's recorded stock (kept, stock left at 0) */
  stockShortfalls: number;
};

/** An order that passed every business rule, ready to insert. */
type Candidate = {
  order: Order;
  customerId: string | null;
  alert: AlertRef | null;
  products: ProductRef[];
  total: number;
  units: number;
};

/** Why an order is refused: a code for the terminal, the reason in English, what it is about. */
type Refusal = { code: RejectCode; reason: string; about?: string[] };
const refuse = (code: RejectCode, reason: string, about?: string[]): Refusal => ({
  code,
  reason,
  ...(about ? { about } : {}),
});
const rejected = (id: string, refusal: Refusal): ItemResult => ({
  id,
  status: 'rejected',
  ...refusal,
});

/**
 * Stores a batch of orders from one terminal (already schema-valid). Each order is accepted,
 * recognised as a duplicate of one already stored, or rejected with a reason a person can act on.
 * Every step is one SQL statement for the whole batch, and the order insert relies on the
 * primary key (`on conflict do nothing`), so the same id sent twice — even concurrently — is
 * stored once.
 */
export async function ingestOrders(
  db: Db,
  terminal: TerminalPrincipal,
  orders: Order[],
  onRetry?: OnRetry,
): Promise<IngestOutcome> {
  const outcome = new Map<string, ItemResult>();
  // Keep the first occurrence of an id sent twice in one batch.
  const first = new Map<string, Order>();
  for (const o of orders) if (!first.has(o.id)) first.set(o.id, o);
  const batch = [...first.values()];

  // All lookups at once (one query each for the whole batch; in parallel on PostgreSQL's pool).
  // They cover the resent orders too: cheaper than another round trip to leave them out.
  const own = batch.filter((o) => o.storeId === terminal.storeId);
  const [existing, timezone, guides, products, alerts, customers] = await Promise.all([
    existingOrderIds(
      db,
      batch.map((o) => o.id),
    ),
    storeTimezone(db, terminal.storeId),
    activeGuides(
      db,
      terminal.storeId,
      own.map((o) => o.guideId),
    ),
    productsBySku(
      db,
      own.flatMap((o) => o.lines.map((l) => l.sku)),
    ),
    alertsById(
      db,
      own.flatMap((o) => (o.alertId ? [o.alertId] : [])),
    ),
    resolveLiveCustomers(
      db,
      own.flatMap((o) => (o.customerId ? [o.customerId] : [])),
    ),
  ]);
  // Orders taken from an alert without naming the customer: resolve the alert's customer too.
  const alertCustomers = [...alerts.values()]
    .map((a) => a.customerId)
    .filter((id) => !customers.has(id));
  if (alertCustomers.length > 0)
    for (const [id, live] of await resolveLiveCustomers(db, alertCustomers))
      customers.set(id, live);

  // A resend of a stored order is a duplicate, whatever has changed since (a guide deactivated…).
  for (const id of existing) outcome.set(id, { id, status: 'duplicate' });
  const fresh = batch.filter((o) => !existing.has(o.id));

  const candidates: Candidate[] = [];
  for (const o of fresh) {
    const verdict = checkOrder(o, terminal, guides, products, alerts, customers);
    if ('code' in verdict) outcome.set(o.id, rejected(o.id, verdict));
    else candidates.push(verdict);
  }

  const { accepted, alertUpdates, customersCursor, catalogCursor, stockShortfalls } =
    await retryOnLockConflict(
      () => storeCandidates(db, terminal.storeId, timezone, candidates),
      onRetry,
    );
  for (const c of candidates)
    outcome.set(
      c.order.id,
      accepted.has(c.order.id)
        ? { id: c.order.id, status: 'accepted' }
        : { id: c.order.id, status: 'duplicate' },
    );

  const seen = new Set<string>();
  const results = orders.map((o): ItemResult => {
    const result = outcome.get(o.id)!;
    if (!seen.has(o.id)) {
      seen.add(o.id);
      return result;
    }
    // A second copy in the same batch: it is the same order, so it is not stored twice.
    return result.status === 'rejected' ? result : { id: o.id, status: 'duplicate' };
  });
  return { results, alertUpdates, customersCursor, catalogCursor, stockShortfalls };
}

/** The business rules: the order as it will be stored, or why it is refused. */
function checkOrder(
  o: Order,
  terminal: TerminalPrincipal,
  guides: Set<string>,
  products: Map<string, ProductRef>,
  alerts: Map<string, AlertRef>,
  customers: Map<string, string | null>,
): Candidate | Refusal {
  if (o.storeId !== terminal.storeId)
    return refuse('wrong_store', `order is for store ${o.storeId}, not this terminal's store`);
  if (o.terminalId !== terminal.terminalId)
    return refuse(
      'wrong_terminal',
      `order names terminal ${o.terminalId}, not the terminal that sent it`,
    );
  if (!guides.has(o.guideId))
    return refuse('guide_inactive', `guide ${o.guideId} is not an active guide of this store`, [
      o.guideId,
    ]);
  const unknown = [...new Set(o.lines.map((l) => l.sku).filter((s) => !products.has(s)))];
  if (unknown.length > 0)
    return refuse('unknown_sku', `unknown SKU: ${unknown.join(', ')}`, unknown);
  let alert: AlertRef | null = null;
  if (o.alertId) {
    alert = alerts.get(o.alertId) ?? null;
    if (!alert || alert.storeId !== terminal.storeId)
      return refuse('alert_not_in_store', `alert ${o.alertId} is not an alert of this store`);
  }
  let customerId: string | null = null;
  if (o.customerId) {
    customerId = customers.get(o.customerId) ?? null;
    if (customerId === null)
      return refuse('unknown_customer', `unknown customer ${o.customerId}`, [o.customerId]);
  } else if (alert) {
    // An order taken from an arrival alert is that customer's, even if the terminal left it out.
    customerId = customers.get(alert.customerId) ?? null;
  }
  const { total, units } = orderTotals(o.lines);
  return {
    order: o,
    customerId,
    alert,
    products: o.lines.map((l) => products.get(l.sku)!),
    total,
    units,
  };
}

async function storeCandidates(
  db: Db,
  storeId: string,
  timezone: string,
  candidates: Candidate[],
): Promise<Omit<IngestOutcome, 'results'> & { accepted: Set<string> }> {
  const nothing = {
    alertUpdates: [],
    customersCursor: null,
    catalogCursor: null,
    stockShortfalls: 0,
  };
  if (candidates.length === 0) return { accepted: new Set(), ...nothing };
  return changeFeedTransaction(db, async (tx) => {
    // Stock moves and customer summaries draw from change_seq: the feed lock is held from the
    // transaction's start (every order has lines, so every batch moves stock).
    // Rows go in id order: two batches that share ids then wait on each other in the same order
    // instead of deadlocking when neither holds the change-feed lock.
    const inserted = await tx.query<{ id: string }>(
      `insert into orders (id, store_id, terminal_id, guide_id, customer_id, alert_id,
                           payment_method, created_at, total, units)
       select x.id, x.store_id, x.terminal_id, x.guide_id, x.customer_id, x.alert_id,
              x.payment_method, x.created_at, x.total, x.units
         from jsonb_to_recordset($1::jsonb) as x(id uuid, store_id uuid, terminal_id uuid,
              guide_id uuid, customer_id uuid, alert_id uuid, payment_method text,
              created_at timestamptz, total bigint, units int)
        order by x.id
       on conflict (id) do nothing
       returning id::text as id`,
      [
        JSON.stringify(
          candidates.map((c) => ({
            id: c.order.id,
            store_id: c.order.storeId,
            terminal_id: c.order.terminalId,
            guide_id: c.order.guideId,
            customer_id: c.customerId,
            alert_id: c.order.alertId ?? null,
            payment_method: c.order.paymentMethod,
            created_at: new Date(c.order.createdAt).toISOString(),
            total: c.total,
            units: c.units,
          })),
        ),
      ],
    );
    const accepted = new Set(inserted.map((r) => r.id));
    const stored = candidates.filter((c) => accepted.has(c.order.id));
    if (stored.length === 0) return { accepted, ...nothing };

    await tx.query(
      `insert into order_lines (order_id, line_no, sku, product_id, quantity, unit_price, discount)
       select x.order_id, x.line_no, x.sku, x.product_id, x.quantity, x.unit_price, x.discount
         from jsonb_to_recordset($1::jsonb) as x(order_id uuid, line_no int, sku text,
              product_id uuid, quantity int, unit_price bigint, discount bigint)`,
      [
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

    // Only orders inserted now move stock: a resend of a stored order is a duplicate above and
    // never gets here (and the movements are unique per line besides).
    const stock = await applyStockMoves(
      tx,
      stored.flatMap((c) =>
        c.order.lines.map((l, i): StockMove => ({
          storeId,
          productId: c.products[i]!.id,
          orderId: c.order.id,
          lineNo: i + 1,
          reason: 'sale',
          quantity: l.quantity,
        })),
      ),
    );

    const withCustomer = stored.filter(
      (c): c is Candidate & { customerId: string } => c.customerId !== null,
    );
    const alertUpdates = await convertVisits(
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
    // server/bindings/). Before the summaries, whose feed bump then covers the binding too.
    const claimers = new Map(alertUpdates.map((u) => [u.orderId, u.claimedBy?.guideId ?? null]));
    await applyOrderBindings(
      tx,
      withCustomer.map((c): SoldOrder => ({
        customerId: c.customerId,
        storeId,
        guideId: c.order.guideId,
        claimerId: claimers.get(c.order.id) ?? null,
        at: new Date(c.order.createdAt),
      })),
      await loadBindingRules(tx),
    );
    const customersCursor = await addPurchasesToCustomers(
      tx,
      withCustomer.map((c): CustomerPurchase => ({
        customerId: c.customerId,
        purchase: purchaseOf(c),
      })),
    );
    return {
      accepted,
      alertUpdates,
      customersCursor,
      catalogCursor: stock.cursor,
      stockShortfalls: stock.shortfalls,
    };
  });
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
