import {
  overReturn,
  returnTotals,
  needsManagerApproval,
  type SoldLine,
} from '../../shared/domain/returns';
import type { ItemResult, OrderReturn } from '../../shared/protocol';
import { recordAudit } from '../audit/service';
import type { TerminalPrincipal } from '../auth/guards';
import { resolveLiveCustomerId } from '../customers/merge-chain';
import { changeFeedTransaction, type Db, type Queryable } from '../db/database';
import { storeTimezone } from '../orders/lookups';
import { retryOnLockConflict, type OnRetry } from '../db/lock-retry';
import { localDate } from '../stats/store-day';
import { applyStockMoves } from '../stock/movements';
import {
  checkWho,
  refuse,
  returnHash,
  storeStaff,
  storedReturnHashes,
  type ReturnRefusal,
} from './checks';
import { takeReturnsOffCustomers, type SpendBack } from './customer-spend';
import { loadReturnSettings } from './settings';

export type ReturnsOutcome = {
  results: ItemResult[];
  customersCursor: string | null;
  catalogCursor: string | null;
};

type Original = {
  id: string;
  guide_id: string;
  customer_id: string | null;
  created_at: string | Date;
  voided_at: string | Date | null;
};

const rejected = (id: string, r: ReturnRefusal): ItemResult => ({ id, status: 'rejected', ...r });

/**
 * Stores a batch of returns from one terminal (already schema-valid), each linked to its original
 * order of this store. Each is accepted, recognised as a resend (`duplicate`: same id, same
 * content), or refused with a code: another return under a used id, an unknown order, more units
 * than are left to return on a line, a void after the order's day, a refund above the threshold
 * without an active manager's approval. An accepted return puts its units back in the store's
 * stock, takes its refund off the customer's in-store spend, and is audited (the guide; the
 * approving manager). The batch is one transaction; a refused return writes nothing.
 */
export async function ingestReturns(
  db: Db,
  terminal: TerminalPrincipal,
  returns: OrderReturn[],
  onRetry?: OnRetry,
): Promise<ReturnsOutcome> {
  const first = new Map<string, OrderReturn>();
  for (const r of returns) if (!first.has(r.id)) first.set(r.id, r);
  const [staff, timezone, settings] = await Promise.all([
    storeStaff(db, terminal.storeId),
    storeTimezone(db, terminal.storeId),
    loadReturnSettings(db),
  ]);
  const hashes = new Map([...first.values()].map((r) => [r.id, returnHash(r)]));

  const outcome = await retryOnLockConflict(
    () =>
      changeFeedTransaction(db, async (tx) => {
        const stored = await storedReturnHashes(tx, [...first.keys()]);
        const results = new Map<string, ItemResult>();
        const backs: SpendBack[] = [];
        let catalogCursor: string | null = null;
        // Id order: two batches touching the same orders lock them in the same order.
        for (const r of [...first.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
          const earlier = stored.get(r.id);
          if (earlier !== undefined) {
            results.set(
              r.id,
              earlier === hashes.get(r.id)
                ? { id: r.id, status: 'duplicate' }
                : rejected(
                    r.id,
                    refuse('return_id_conflict', `return id ${r.id} already holds another return`),
                  ),
            );
            continue;
          }
          const who = checkWho(r, terminal, staff);
          if (who) {
            results.set(r.id, rejected(r.id, who));
            continue;
          }
          const verdict = await storeOne(tx, r, hashes.get(r.id)!, timezone, settings);
          if ('code' in verdict) {
            results.set(r.id, rejected(r.id, verdict));
            continue;
          }
          results.set(r.id, { id: r.id, status: 'accepted' });
          if (verdict.back) backs.push(verdict.back);
          if (verdict.cursor !== null) catalogCursor = verdict.cursor;
        }
        const customersCursor = await takeReturnsOffCustomers(tx, backs);
        return { results, customersCursor, catalogCursor };
      }),
    onRetry,
  );
  const seen = new Set<string>();
  return {
    results: returns.map((r): ItemResult => {
      const result = outcome.results.get(r.id)!;
      if (seen.has(r.id) && result.status !== 'rejected') return { id: r.id, status: 'duplicate' };
      seen.add(r.id);
      return result;
    }),
    customersCursor: outcome.customersCursor,
    catalogCursor: outcome.catalogCursor,
  };
}

/** Checks one return against its original (locked) and writes it, or says why not. */
async function storeOne(
  tx: Queryable,
  r: OrderReturn,
  hash: string,
  timezone: string,
  settings: { managerApprovalAboveFen: number | null },
): Promise<ReturnRefusal | { back: SpendBack | null; cursor: string | null }> {
  const [order] = await tx.query<Original>(
    `select id::text as id, guide_id::text as guide_id, customer_id::text as customer_id,
            created_at, voided_at
       from orders where id = $1 and store_id = $2 for update`,
    [r.orderId, r.storeId],
  );
  if (!order) return refuse('unknown_order', `order ${r.orderId} is not an order of this store`);
  const sold = await soldLines(tx, r.orderId);
  const over = overReturn(sold, r.lines);
  if (order.voided_at !== null || over.length > 0)
    return refuse(
      'over_return',
      `more units than are left to return on line(s) ${over.join(', ') || 'all (voided)'}`,
      over.map(String),
    );
  if (r.kind === 'void') {
    if (
      localDate(new Date(order.created_at), timezone) !== localDate(new Date(r.createdAt), timezone)
    )
      return refuse('void_not_same_day', 'an order can be voided on its own store-local day only');
    const asked = new Map(r.lines.map((l) => [l.lineNo, l.quantity]));
    if (sold.some((l) => l.returned > 0 || asked.get(l.lineNo) !== l.quantity))
      return refuse(
        'invalid_input',
        'a void takes back every unit of an order nothing was returned of',
      );
  }
  const totals = returnTotals(sold, r.lines);
  if (needsManagerApproval(totals.amount, settings.managerApprovalAboveFen) && !r.managerId)
    return refuse(
      'approval_required',
      `a refund above ${settings.managerApprovalAboveFen} fen needs a store manager's approval`,
    );

  const customerId = order.customer_id ? await resolveLiveCustomerId(tx, order.customer_id) : null;
  const inserted = await tx.query<{ id: string }>(
    `insert into order_returns (id, order_id, store_id, terminal_id, guide_id, seller_id,
       customer_id, manager_id, kind, reason, note, exchange_order_id, created_at, amount, units,
       request_hash)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
     on conflict (id) do nothing
     returning id::text as id`,
    [
      r.id,
      r.orderId,
      r.storeId,
      r.terminalId,
      r.guideId,
      order.guide_id,
      customerId,
      r.managerId ?? null,
      r.kind,
      r.reason,
      r.note ?? null,
      r.exchangeOrderId ?? null,
      new Date(r.createdAt).toISOString(),
      totals.amount,
      totals.units,
      hash,
    ],
  );
  // Under the change-feed lock nobody else inserts returns, so this is the first writer.
  if (inserted.length === 0) return refuse('return_id_conflict', 'return id already used');
  await tx.query(
    `insert into order_return_lines (return_id, order_id, line_no, quantity, amount)
     select $1, $2, x.line_no, x.quantity, x.amount
       from jsonb_to_recordset($3::jsonb) as x(line_no int, quantity int, amount bigint)`,
    [
      r.id,
      r.orderId,
      JSON.stringify(
        totals.lines.map((l) => ({ line_no: l.lineNo, quantity: l.quantity, amount: l.amount })),
      ),
    ],
  );
  await tx.query(
    `update orders set returned_units = returned_units + $2, refunded = refunded + $3,
            voided_at = case when $4 then $5::timestamptz else voided_at end
      where id = $1`,
    [
      r.orderId,
      totals.units,
      totals.amount,
      r.kind === 'void',
      new Date(r.createdAt).toISOString(),
    ],
  );
  const products = await tx.query<{ line_no: number; product_id: string | null }>(
    'select line_no, product_id::text as product_id from order_lines where order_id = $1',
    [r.orderId],
  );
  const productOf = new Map(products.map((p) => [Number(p.line_no), p.product_id]));
  const stock = await applyStockMoves(
    tx,
    r.lines.flatMap((l) => {
      const productId = productOf.get(l.lineNo);
      return productId
        ? [
            {
              storeId: r.storeId,
              productId,
              // The return's own id: each partial return of a line is its own movement.
              orderId: r.id,
              lineNo: l.lineNo,
              reason: 'return' as const,
              quantity: l.quantity,
            },
          ]
        : [];
    }),
  );
  const at = new Date(r.createdAt);
  await recordAudit(tx, {
    action: 'order_returned',
    source: 'hub',
    storeId: r.storeId,
    terminalId: r.terminalId,
    guideId: r.guideId,
    customerId,
    at,
  });
  if (r.managerId)
    await recordAudit(tx, {
      action: 'return_approved',
      source: 'hub',
      storeId: r.storeId,
      terminalId: r.terminalId,
      guideId: r.managerId,
      customerId,
      at,
    });
  return {
    cursor: stock.cursor,
    back: customerId
      ? {
          customerId,
          orderId: r.orderId,
          amount: totals.amount,
          units: new Map(r.lines.map((l) => [l.lineNo, l.quantity])),
          voided: r.kind === 'void',
        }
      : null,
  };
}

/** The original's lines with what earlier returns took back of each. */
async function soldLines(tx: Queryable, orderId: string): Promise<SoldLine[]> {
  const rows = await tx.query<{
    line_no: number;
    quantity: number;
    unit_price: string;
    discount: string;
    returned: string;
  }>(
    `select l.line_no, l.quantity, l.unit_price::text as unit_price, l.discount::text as discount,
            coalesce((select sum(rl.quantity) from order_return_lines rl
                       where rl.order_id = l.order_id and rl.line_no = l.line_no), 0)::text
              as returned
       from order_lines l where l.order_id = $1 order by l.line_no`,
    [orderId],
  );
  return rows.map((l) => ({
    lineNo: Number(l.line_no),
    quantity: Number(l.quantity),
    unitPrice: Number(l.unit_price),
    discount: Number(l.discount),
    returned: Number(l.returned),
  }));
}
