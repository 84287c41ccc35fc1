import { orderTotals } from '../../shared/domain/money';
import { resolveLiveCustomers } from '../customers/merge-chain';
import type { AlertUpdate, ItemResult, Order, RejectCode } from '../../shared/protocol';
import type { TerminalPrincipal } from '../auth/guards';
import type { Db } from '../db/database';
import type { OnRetry } from '../db/lock-retry';
import { uploadChecks, type AlertRef, type ProductRef } from './lookups';
import type { Candidate } from './store-batch';
import { storeUpload } from './upload-batches';

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
 * Every step is one SQL statement for the whole batch, and the batch's stock movements claim the
 * order ids (`on conflict do nothing` on their unique key, then the orders' primary key), so the
 * same id sent twice — even concurrently — is stored once (store-batch.ts). Under load, uploads
 * that arrive together are stored in one transaction (upload-batches.ts).
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

  // Every check's reference data in one statement (lookups.ts), shared with the uploads checked
  // beside it under load. It covers the resent orders too: cheaper than another round trip to
  // leave them out.
  const own = batch.filter((o) => o.storeId === terminal.storeId);
  const customerIds = own.flatMap((o) => (o.customerId ? [o.customerId] : []));
  const { existing, timezone, guides, products, alerts, rules, ...read } = await uploadChecks(db, {
    storeId: terminal.storeId,
    orderIds: batch.map((o) => o.id),
    guideIds: own.map((o) => o.guideId),
    skus: own.flatMap((o) => o.lines.map((l) => l.sku)),
    alertIds: own.flatMap((o) => (o.alertId ? [o.alertId] : [])),
    customerIds,
  });
  // The customers named, and those of the alerts orders were taken from without naming one,
  // followed through merges (their first rows came with the checks).
  const customers = await resolveLiveCustomers(
    db,
    [...customerIds, ...[...alerts.values()].map((a) => a.customerId)],
    read.customers,
  );

  // A resend of a stored order is a duplicate, whatever has changed since (a guide deactivated…).
  for (const id of existing) outcome.set(id, { id, status: 'duplicate' });
  const fresh = batch.filter((o) => !existing.has(o.id));

  const candidates: Candidate[] = [];
  for (const o of fresh) {
    const verdict = checkOrder(o, terminal, timezone, guides, products, alerts, customers);
    if ('code' in verdict) outcome.set(o.id, rejected(o.id, verdict));
    else candidates.push(verdict);
  }

  const nothing = {
    accepted: new Set<string>(),
    alertUpdates: [],
    customersCursor: null,
    catalogCursor: null,
    shortfalls: new Map<string, number>(),
  };
  const { accepted, alertUpdates, customersCursor, catalogCursor, shortfalls } =
    candidates.length === 0
      ? nothing
      : await storeUpload(db, { candidates, rules, ...(onRetry ? { onRetry } : {}) });
  let stockShortfalls = 0;
  for (const lines of shortfalls.values()) stockShortfalls += lines;
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
  timezone: string,
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
    timezone,
    customerId,
    alert,
    products: o.lines.map((l) => products.get(l.sku)!),
    total,
    units,
  };
}
