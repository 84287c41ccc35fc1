import type { CreditExplanation, CreditRow } from '../../shared/protocol';
import type { Queryable } from '../db/database';
import { notFound } from '../http/errors';

const iso = (value: string | Date) => new Date(value).toISOString();

/**
 * Why an order (or a refund) was credited as it was: the order, every credit row of it (the sale
 * and each refund's reversal, with the rule and its evidence, store and guide names), the refunds
 * naming it (credited or parked) and what stays credited. 404 for an id the hub never received.
 */
export async function explainCredit(db: Queryable, orderId: string): Promise<CreditExplanation> {
  const [order] = await db.query<{
    id: string;
    kind: 'order' | 'refund';
    refund_of: string | null;
    customer_id: string;
    channel: CreditExplanation['order']['channel'];
    at: string | Date;
    amount: string | number;
    state: 'credited' | 'parked';
  }>(
    `select id, kind, refund_of, customer_id, channel, at, amount, state
       from online_orders where id = $1`,
    [orderId],
  );
  if (!order) throw notFound(`no online order ${orderId}`);
  const credits = await db.query<{
    id: string;
    line_id: string;
    kind: 'sale' | 'refund';
    rule: CreditRow['rule'];
    store_id: string | null;
    store_name: string | null;
    guide_id: string | null;
    guide_name: string | null;
    amount: string | number;
    at: string | Date;
    evidence: Record<string, unknown>;
  }>(
    `select c.id, c.line_id, c.kind, c.rule, c.store_id, s.name as store_name, c.guide_id,
            g.name as guide_name, c.amount, c.at, c.evidence
       from online_credits c
       left join stores s on s.id = c.store_id
       left join guides g on g.id = c.guide_id
      where c.order_id = $1 or c.line_id = $1
      order by c.kind = 'refund', c.at, c.id`,
    [orderId],
  );
  const refunds =
    order.kind === 'order'
      ? await db.query<{
          id: string;
          at: string | Date;
          amount: string | number;
          state: 'credited' | 'parked';
        }>(`select id, at, amount, state from online_orders where refund_of = $1 order by at, id`, [
          orderId,
        ])
      : [];
  const rows: CreditRow[] = credits.map((c) => ({
    id: c.id,
    lineId: c.line_id,
    kind: c.kind,
    rule: c.rule,
    storeId: c.store_id,
    storeName: c.store_name,
    guideId: c.guide_id,
    guideName: c.guide_name,
    amount: Number(c.amount),
    at: iso(c.at),
    evidence: c.evidence,
  }));
  return {
    order: {
      id: order.id,
      type: order.kind,
      refundOf: order.refund_of,
      customerId: order.customer_id,
      channel: order.channel,
      at: iso(order.at),
      amount: Number(order.amount),
      state: order.state,
    },
    credits: rows,
    refunds: refunds.map((r) => ({
      id: r.id,
      at: iso(r.at),
      amount: Number(r.amount),
      state: r.state,
    })),
    net: rows.reduce((sum, r) => sum + r.amount, 0),
  };
}
