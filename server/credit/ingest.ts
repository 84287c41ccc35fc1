import { createHash } from 'node:crypto';
import { newId } from '../../shared/domain/ids';
import type { CreditTo, OnlineOrder, OnlineOrderResult } from '../../shared/protocol';
import { refKey, resolveCustomerRefs } from '../customers/online-events';
import type { Db, Queryable } from '../db/database';
import { HubError } from '../http/errors';
import { attribute, type Attribution } from './attribution';
import { loadEvidence } from './evidence';
import { loadCreditRules } from './rules';

/** Online-order batches run one at a time: a refund and its order, or one id sent twice, race. */
export const ONLINE_CREDIT_LOCK = 4615;
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

/**
 * Records online orders and refunds and credits each (docs/online-credit.md). Idempotent by id:
 * an id stored with the same body answers `duplicate` with the credit it got; an id stored (or
 * sent earlier in the batch) with a different body refuses the whole batch with 409 `conflict`
 * before anything is written — head office reusing an id is a bug to fix, not a sale to drop.
 * An order is credited by the rule chain in force; a refund reverses its order's credit, or waits
 * (`parked`) until its order arrives. One transaction, one batch at a time.
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

    const results: OnlineOrderResult[] = [];
    const seen = new Set<string>();
    const duplicates: number[] = [];
    for (const order of orders) {
      const { id } = order;
      const parkedFor = parkedBefore.get(id);
      if (parkedFor !== undefined) {
        results.push({ id, status: 'parked', reason: waiting(parkedFor) });
        continue;
      }
      if (stored.has(id) || seen.has(id)) {
        duplicates.push(results.length);
        results.push({ id, status: 'duplicate' });
        continue;
      }
      if (Date.parse(order.at) > now.getTime() + MAX_CLOCK_SKEW_MS) {
        results.push({ id, status: 'rejected', reason: '`at` is in the future' });
        continue;
      }
      const customerId = customers.get(refKey(order.customer));
      if (!customerId) {
        results.push({ id, status: 'rejected', reason: 'unknown customer' });
        continue;
      }
      const at = new Date(order.at).toISOString();
      const row = async (state: 'credited' | 'parked') =>
        tx.query(
          `insert into online_orders(id, kind, refund_of, customer_id, channel, at, amount, lines, body_hash, state)
           values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10)`,
          [
            id,
            order.type,
            order.refundOf ?? null,
            customerId,
            order.channel,
            at,
            order.amount,
            JSON.stringify(order.lines),
            orderHash(order),
            state,
          ],
        );

      if (order.type === 'refund') {
        const orderId = order.refundOf!;
        const [original] = await tx.query<{ kind: string }>(
          'select kind from online_orders where id = $1',
          [orderId],
        );
        if (original && original.kind !== 'order') {
          results.push({ id, status: 'rejected', reason: `refundOf ${orderId} is a refund` });
          continue;
        }
        seen.add(id);
        if (!original) {
          await row('parked');
          parkedBefore.set(id, orderId);
          results.push({ id, status: 'parked', reason: waiting(orderId) });
          continue;
        }
        await row('credited');
        const credit = await creditRefund(tx, { id, orderId, at, amount: order.amount });
        results.push({ id, status: 'accepted', credit });
        continue;
      }

      seen.add(id);
      await row('credited');
      const attribution = attribute(
        rules,
        new Date(at),
        evidence.get(customerId) ?? { visits: [], trail: [], homeStoreId: null },
      );
      const credit = await insertCredit(tx, {
        orderId: id,
        lineId: id,
        kind: 'sale',
        at,
        amount: order.amount,
        ...attribution,
      });
      results.push({ id, status: 'accepted', credit });
      // Refunds that came first: applied now, in the order they were made.
      const parked = await tx.query<{ id: string; at: string | Date; amount: string | number }>(
        `select id, at, amount from online_orders
          where refund_of = $1 and state = 'parked' order by at, id`,
        [id],
      );
      for (const refund of parked) {
        await creditRefund(tx, {
          id: refund.id,
          orderId: id,
          at: new Date(refund.at).toISOString(),
          amount: Number(refund.amount),
        });
        await tx.query(`update online_orders set state = 'credited' where id = $1`, [refund.id]);
        parkedBefore.delete(refund.id);
      }
    }

    // A duplicate answers with the credit its first sending got (none while a refund is parked).
    if (duplicates.length > 0) {
      const credits = new Map(
        (
          await tx.query<StoredCredit & { line_id: string }>(
            `select id, line_id, rule, store_id, guide_id, amount from online_credits
              where line_id = any($1::text[])`,
            [duplicates.map((i) => results[i]!.id)],
          )
        ).map((r) => [r.line_id, creditOf(r)]),
      );
      for (const i of duplicates) {
        const credit = credits.get(results[i]!.id);
        if (credit) results[i] = { ...results[i]!, credit };
      }
    }
    return results;
  });
}
