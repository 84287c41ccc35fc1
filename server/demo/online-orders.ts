import type { Faker } from '@faker-js/faker';
import { onlineOrder, type OnlineOrder, type OnlineSalesChannel } from '../../shared/protocol';
import { recordOnlineOrders } from '../credit/ingest';
import type { Db } from '../db/database';
import type { DemoProduct } from './catalog';
import type { DemoCustomer } from './customers';

const HOUR_MS = 3_600_000;
const CHANNELS: readonly OnlineSalesChannel[] = ['wechat_mini', 'wechat_mini', 'app', 'web'];
/** Head office's order ids in the demo: `DEMO-WX-0001`, refunds `DEMO-RF-0001`. */
const orderId = (n: number) => `DEMO-WX-${String(n).padStart(4, '0')}`;
const refundId = (n: number) => `DEMO-RF-${String(n).padStart(4, '0')}`;

type Ctx = {
  faker: Faker;
  products: readonly DemoProduct[];
  customers: readonly DemoCustomer[];
  log: (message: string) => void;
};

/**
 * Online orders and refunds through the credit service, so the statement and `credit-explain`
 * show something on a fresh demo: members who bought online a few hours to days after a visit a
 * guide claimed (credited to that guide), members who bought with no such visit (their home
 * store's pool), one customer with no home store (credited to nobody), partial and full refunds,
 * and one refund whose order never arrived (parked). Seeded once, after the history it builds
 * on: a re-run finds the orders and keeps them (their times follow today, so a re-run's bodies
 * would differ and be refused as conflicts).
 */
export async function seedOnlineOrders(db: Db, ctx: Ctx): Promise<'seeded' | 'kept'> {
  const [existing] = await db.query<{ n: number }>(
    `select count(*)::int as n from online_orders where id = $1`,
    [orderId(1)],
  );
  if ((existing?.n ?? 0) > 0) return 'kept';
  const { faker } = ctx;
  const now = Date.now();
  const lines = () => {
    const product = faker.helpers.arrayElement(ctx.products);
    const quantity = faker.number.int({ min: 1, max: 2 });
    return { sku: product.sku, quantity, unitPrice: product.price };
  };
  const orders: OnlineOrder[] = [];
  const add = (customerId: string, at: number) => {
    const items = [lines()];
    if (faker.datatype.boolean(0.3)) items.push(lines());
    orders.push(
      onlineOrder.parse({
        id: orderId(orders.length + 1),
        customer: { customerId },
        channel: faker.helpers.arrayElement(CHANNELS),
        at: new Date(Math.min(at, now - 60_000)).toISOString(),
        amount: items.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0),
        lines: items,
      }),
    );
  };

  // After a claimed visit: 2 hours to 3 days later.
  const visits = await db.query<{ customer_id: string; started_at: string | Date }>(
    `select v.customer_id, v.started_at from visits v join alerts a on a.visit_id = v.id
      where a.claimed_by is not null and v.customer_id is not null
      order by v.started_at, v.id limit 30`,
  );
  for (const v of visits)
    add(
      v.customer_id,
      new Date(v.started_at).getTime() + faker.number.int({ min: 2, max: 72 }) * HOUR_MS,
    );

  // No claimed visit: the home store's pool (or nobody for a customer without one).
  const crmIds = ctx.customers.slice(-12).map((c) => c.crm.crmId);
  const quiet = await db.query<{ id: string }>(
    `select id from customers where crm_id = any($1::text[]) and merged_into is null order by crm_id`,
    [crmIds],
  );
  for (const c of quiet) add(c.id, now - faker.number.int({ min: 1, max: 6 * 24 }) * HOUR_MS);
  const [homeless] = await db.query<{ id: string }>(
    `select id from customers where home_store_id is null and merged_into is null and not deleted
      order by id limit 1`,
  );
  if (homeless) add(homeless.id, now - 5 * HOUR_MS);

  // Refunds: a partial and a full one, and one whose order head office never sent (parked).
  const refunds: OnlineOrder[] = [];
  const refund = (of: OnlineOrder, amount: number, afterMs: number) =>
    refunds.push(
      onlineOrder.parse({
        id: refundId(refunds.length + 1),
        type: 'refund',
        refundOf: of.id,
        customer: of.customer,
        channel: of.channel,
        at: new Date(Math.min(Date.parse(of.at) + afterMs, now - 30_000)).toISOString(),
        amount,
        lines: [{ ...of.lines[0]!, quantity: -1 }],
      }),
    );
  for (const [i, o] of orders.slice(0, 6).entries())
    refund(o, i % 2 === 0 ? -o.lines[0]!.unitPrice : -o.amount, 20 * HOUR_MS);
  if (orders[0])
    refunds.push(
      onlineOrder.parse({
        ...orders[0],
        id: refundId(refunds.length + 1),
        type: 'refund',
        refundOf: 'DEMO-WX-MISSING',
        amount: -orders[0].lines[0]!.unitPrice,
        lines: [{ ...orders[0].lines[0]!, quantity: -1 }],
      }),
    );
  const results = await recordOnlineOrders(db, [...orders, ...refunds]);
  const count = (status: string) => results.filter((r) => r.status === status).length;
  ctx.log(
    `online orders: ${orders.length} and ${refunds.length} refunds (${count('accepted')} credited, ${count('parked')} parked, ${count('rejected')} rejected)`,
  );
  return 'seeded';
}
