import { createHash } from 'node:crypto';
import { newId } from '../../shared/domain/ids';
import type { CreditTo, OnlineOrder, OnlineOrderResult } from '../../shared/protocol';
import { refKey, resolveCustomerRefs } from '../customers/online-events';
import type { Db, Queryable } from '../db/database';
import { HubError } from '../http/errors';
import { attribute, type Attribution } from './attribution';
import { loadEvidence } from './evidence';
import { loadCreditRules } from './rules';
import { ADVISORY_LOCKS } from '../db/advisory-locks';

/** Online-order batches run one at a time: a refund and its order, or one id sent twice, race. */
export const ONLINE_CREDIT_LOCK = ADVISORY_LOCKS.onlineCredit;
/** Channels' clocks drift a little; an order further ahead than this is refused. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

const waiting = (orderId: string) => `order ${orderId} has not arrived; credited when it does`;

/** A JSON text with object keys sorted, so equal bodies hash equal whatever the key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/**
 * The hash that decides "same body again" (a duplicate) from "different body, same id" (409): of
 * the order as parsed (defaults filled in, ids lower-cased) with its instant in UTC, so
 * `10:00+08:00` and `02:00Z` are the same order.
 */
export function orderHash(order: OnlineOrder): string {
  return createHash('sha256')
    .update(canonical({ ...order, at: new Date(order.at).toISOString() }))
    .digest('hex');
}

type StoredCredit = {
  id: string;
  rule: CreditTo['rule'];
  store_id: string | null;
  guide_id: string | null;
  amount: string | number;
};
const creditOf = (row: StoredCredit): CreditTo => ({
  rule: row.rule,
  storeId: row.store_id,
  guideId: row.guide_id,
  amount: Number(row.amount),
});

async function insertCredit(
  tx: Queryable,
  credit: {
    orderId: string;
    lineId: string;
    kind: 'sale' | 'refund';
    at: string;
    amount: number;
  } & Attribution,
): Promise<CreditTo> {
  await tx.query(
    `insert into online_credits(id, order_id, line_id, kind, rule, store_id, guide_id, amount, at, evidence)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb)`,
    [
      newId(),
      credit.orderId,
      credit.lineId,
      credit.kind,
      credit.rule,
      credit.storeId,
      credit.guideId,
      credit.amount,
      credit.at,
      JSON.stringify(credit.evidence),
    ],
  );
  return {
    rule: credit.rule,
    storeId: credit.storeId,
    guideId: credit.guideId,
    amount: credit.amount,
  };
}

/**
 * Reverses a refund's share of its order's credit: the same store, guide and rule as the sale
 * (never re-evaluated), for the refund's amount capped at what the order still has credited, so
 * an order's credit never goes below zero (an over-refund reverses what is left, then 0).
 */
async function creditRefund(
  tx: Queryable,
  refund: { id: string; orderId: string; at: string; amount: number },
): Promise<CreditTo> {
  const [sale] = await tx.query<StoredCredit>(
    `select id, rule, store_id, guide_id, amount from online_credits
      where line_id = $1 and kind = 'sale'`,
    [refund.orderId],
  );
  if (!sale) throw new Error(`online order ${refund.orderId} has no sale credit`);
  const [left] = await tx.query<{ total: string | number }>(
    'select coalesce(sum(amount), 0) as total from online_credits where order_id = $1',
    [refund.orderId],
  );
  const remaining = Math.max(0, Number(left?.total ?? 0));
  const amount = -Math.min(-refund.amount, remaining);
  return insertCredit(tx, {
    orderId: refund.orderId,
    lineId: refund.id,
    kind: 'refund',
    at: refund.at,
    amount,
    rule: sale.rule,
    storeId: sale.store_id,
    guideId: sale.guide_id,
    evidence: {
      reversesCreditId: sale.id,
      requested: refund.amount,
      capped: amount !== refund.amount,
      remainingBefore: remaining,
    },
  });
}

type OrderRow = {
  id: string;
  kind: 'order' | 'refund';
  refund_of: string | null;
  customer_id: string;
  channel: string;
  at: string;
  amount: number;
  lines: OnlineOrder['lines'];
  body_hash: string;
  state: 'credited' | 'parked';
};

async function insertOrders(tx: Queryable, rows: readonly OrderRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `insert into online_orders(id, kind, refund_of, customer_id, channel, at, amount, lines, body_hash, state)
     select x.id, x.kind, x.refund_of, x.customer_id, x.channel, x.at, x.amount, x.lines, x.body_hash, x.state
       from jsonb_to_recordset($1::jsonb) as x(id text, kind text, refund_of text, customer_id uuid,
         channel text, at timestamptz, amount bigint, lines jsonb, body_hash text, state text)`,
    [JSON.stringify(rows)],
  );
}

/**
 * Records online orders and refunds and credits each (docs/online-credit.md). Idempotent by id:
 * an id stored with the same body answers `duplicate` with the credit it got; an id stored (or
 * sent earlier in the batch) with a different body refuses the whole batch with 409 `conflict`
 * before anything is written — head office reusing an id is a bug to fix, not a sale to drop.
 * An order is credited by the rule chain in force; a refund reverses its order's credit, or waits
 * (`parked`) until its order arrives. One transaction, one batch at a time.
 *
 * Orders are written in bulk (a 618 burst arrives as big batches): the batch's sales first, then
 * refunds parked earlier for those sales (in the order they were made), then the batch's own
 * refunds one by one — so a refund sent in the same batch as its order, before or after it, is
 * credited at once.
 */
export async function recordOnlineOrders(
  db: Db,
  orders: readonly OnlineOrder[],
  now: Date = new Date(),
): Promise<OnlineOrderResult[]> {
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [ONLINE_CREDIT_LOCK]);
    const hashes = orders.map(orderHash);
    const storedRows = await tx.query<{
      id: string;
      body_hash: string;
      state: 'credited' | 'parked';
      refund_of: string | null;
    }>('select id, body_hash, state, refund_of from online_orders where id = any($1::text[])', [
      orders.map((o) => o.id),
    ]);
    const stored = new Map(storedRows.map((r) => [r.id, r.body_hash]));
    const parkedBefore = new Map(
      storedRows.filter((r) => r.state === 'parked').map((r) => [r.id, r.refund_of ?? '']),
    );
    const firstHash = new Map<string, string>();
    const conflicts: { id: string; message: string }[] = [];
    orders.forEach((order, i) => {
      const known = stored.get(order.id) ?? firstHash.get(order.id);
      if (known !== undefined && known !== hashes[i])
        conflicts.push({
          id: order.id,
          message: stored.has(order.id)
            ? 'this id was stored with a different body'
            : 'this id appears twice in the batch with different bodies',
        });
      if (!firstHash.has(order.id)) firstHash.set(order.id, hashes[i]!);
    });
    if (conflicts.length > 0)
      throw new HubError(
        409,
        'conflict',
        `${conflicts.length} order id(s) already stand for a different order; nothing was written`,
        conflicts,
      );

    const customers = await resolveCustomerRefs(
      tx,
      orders.map((o) => o.customer),
    );
    const { rules } = await loadCreditRules(tx);
    const sales = orders.filter((o) => o.type === 'order' && !stored.has(o.id));
    const times = sales.map((o) => Date.parse(o.at));
    const evidence = await loadEvidence(
      tx,
      rules,
      sales.flatMap((o) => customers.get(refKey(o.customer)) ?? []),
      new Date(Math.min(...times, now.getTime())),
      new Date(Math.max(...times, 0)),
    );

    // 1. Decide each order's fate; credit the sales in memory.
    const results: OnlineOrderResult[] = [];
    const seen = new Set<string>();
    const duplicates: number[] = [];
    const saleRows: OrderRow[] = [];
    const saleCredits: Parameters<typeof insertCredit>[1][] = [];
    const refunds: { slot: number; row: OrderRow }[] = [];
    orders.forEach((order, i) => {
      const { id } = order;
      const slot = results.length;
      const parkedFor = parkedBefore.get(id);
      if (parkedFor !== undefined) {
        results.push({ id, status: 'parked', reason: waiting(parkedFor) });
        return;
      }
      if (stored.has(id) || seen.has(id)) {
        duplicates.push(slot);
        results.push({ id, status: 'duplicate' });
        return;
      }
      if (Date.parse(order.at) > now.getTime() + MAX_CLOCK_SKEW_MS) {
        results.push({ id, status: 'rejected', reason: '`at` is in the future' });
        return;
      }
      const customerId = customers.get(refKey(order.customer));
      if (!customerId) {
        results.push({ id, status: 'rejected', reason: 'unknown customer' });
        return;
      }
      seen.add(id);
      const at = new Date(order.at).toISOString();
      const row: OrderRow = {
        id,
        kind: order.type,
        refund_of: order.refundOf ?? null,
        customer_id: customerId,
        channel: order.channel,
        at,
        amount: order.amount,
        lines: order.lines,
        body_hash: hashes[i]!,
        state: 'credited',
      };
      results.push({ id, status: 'accepted' });
      if (order.type === 'refund') {
        refunds.push({ slot, row });
        return;
      }
      const attribution = attribute(
        rules,
        new Date(at),
        evidence.get(customerId) ?? { visits: [], trail: [], homeStoreId: null },
      );
      saleRows.push(row);
      const credit = { orderId: id, lineId: id, kind: 'sale' as const, at, amount: order.amount };
      saleCredits.push({ ...credit, ...attribution });
      results[slot] = {
        id,
        status: 'accepted',
        credit: {
          rule: attribution.rule,
          storeId: attribution.storeId,
          guideId: attribution.guideId,
          amount: order.amount,
        },
      };
    });

    // 2. The sales and their credit, in two statements.
    await insertOrders(tx, saleRows);
    if (saleCredits.length > 0)
      await tx.query(
        `insert into online_credits(id, order_id, line_id, kind, rule, store_id, guide_id, amount, at, evidence)
         select x.id, x.order_id, x.line_id, x.kind, x.rule, x.store_id, x.guide_id, x.amount, x.at, x.evidence
           from jsonb_to_recordset($1::jsonb) as x(id uuid, order_id text, line_id text, kind text,
             rule text, store_id uuid, guide_id uuid, amount bigint, at timestamptz, evidence jsonb)`,
        [
          JSON.stringify(
            saleCredits.map((c) => ({
              id: newId(),
              order_id: c.orderId,
              line_id: c.lineId,
              kind: c.kind,
              rule: c.rule,
              store_id: c.storeId,
              guide_id: c.guideId,
              amount: c.amount,
              at: c.at,
              evidence: c.evidence,
            })),
          ),
        ],
      );

    // 3. Refunds that came before their order, applied now in the order they were made.
    if (saleRows.length > 0) {
      const parked = await tx.query<{
        id: string;
        refund_of: string;
        at: string | Date;
        amount: string | number;
      }>(
        `select id, refund_of, at, amount from online_orders
          where refund_of = any($1::text[]) and state = 'parked' order by at, id`,
        [saleRows.map((r) => r.id)],
      );
      for (const refund of parked) {
        await creditRefund(tx, {
          id: refund.id,
          orderId: refund.refund_of,
          at: new Date(refund.at).toISOString(),
          amount: Number(refund.amount),
        });
        await tx.query(`update online_orders set state = 'credited' where id = $1`, [refund.id]);
        parkedBefore.delete(refund.id);
      }
      // A resend of such a refund in this batch was answered `parked`: it is credited now.
      results.forEach((r, slot) => {
        if (r.status === 'parked' && !parkedBefore.has(r.id)) {
          results[slot] = { id: r.id, status: 'duplicate' };
          duplicates.push(slot);
        }
      });
    }

    // 4. The batch's refunds, one by one (rare next to sales).
    for (const { slot, row } of refunds) {
      const orderId = row.refund_of!;
      const [original] = await tx.query<{ kind: string }>(
        'select kind from online_orders where id = $1',
        [orderId],
      );
      if (original && original.kind !== 'order') {
        const rejected = {
          id: row.id,
          status: 'rejected' as const,
          reason: `refundOf ${orderId} is a refund`,
        };
        results[slot] = rejected;
        // Its repeats later in the batch were answered `duplicate`: they are refused alike.
        for (const d of duplicates) if (results[d]!.id === row.id) results[d] = rejected;
        continue;
      }
      if (!original) {
        await insertOrders(tx, [{ ...row, state: 'parked' }]);
        results[slot] = { id: row.id, status: 'parked', reason: waiting(orderId) };
        for (const d of duplicates) if (results[d]!.id === row.id) results[d] = results[slot]!;
        continue;
      }
      await insertOrders(tx, [row]);
      const credit = await creditRefund(tx, {
        id: row.id,
        orderId,
        at: row.at,
        amount: row.amount,
      });
      results[slot] = { id: row.id, status: 'accepted', credit };
    }

    // A duplicate answers with the credit its first sending got (none while a refund is parked).
    const pending = duplicates.filter((d) => results[d]!.status === 'duplicate');
    if (pending.length > 0) {
      const credits = new Map(
        (
          await tx.query<StoredCredit & { line_id: string }>(
            `select id, line_id, rule, store_id, guide_id, amount from online_credits
              where line_id = any($1::text[])`,
            [pending.map((i) => results[i]!.id)],
          )
        ).map((r) => [r.line_id, creditOf(r)]),
      );
      for (const i of pending) {
        const credit = credits.get(results[i]!.id);
        if (credit) results[i] = { ...results[i]!, credit };
      }
    }
    return results;
  });
}
