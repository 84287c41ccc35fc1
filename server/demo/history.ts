import type { Faker } from '@faker-js/faker';
import { TZDate } from '@date-fns/tz';
import { newId } from '../../shared/domain/ids';
import type { Order, PaymentMethod } from '../../shared/protocol';
import type { Db } from '../db/database';
import { ingestOrders } from '../orders/service';
import { buildCustomerCard, CARD_COLUMNS, type CardCustomerRow } from '../presence/card';
import { ALERT_EXPIRY_MINUTES } from '../presence/windows';
import type { DemoProduct } from './catalog';
import { DEMO_STORES, type DemoStore } from './chain';
import type { DemoCustomer } from './customers';

const DAYS = 7;
const PAYMENTS: readonly { weight: number; value: PaymentMethod }[] = [
  { weight: 55, value: 'wechat' },
  { weight: 30, value: 'alipay' },
  { weight: 10, value: 'unionpay' },
  { weight: 5, value: 'cash' },
];
/** Shoppers come at lunch and after work: relative footfall by store-local hour. */
const PEAK: Record<number, number> = { 12: 1.4, 13: 1.5, 14: 1.2, 18: 1.5, 19: 1.7, 20: 1.3 };

type Ctx = {
  faker: Faker;
  products: readonly DemoProduct[];
  customers: readonly DemoCustomer[];
  log: (message: string) => void;
};

/**
 * A week of store life for the dashboard: door-counter footfall per hour, recognised visits with
 * their arrival alerts (claimed or expired) and orders (some converting a visit, credited to the
 * claiming guide). Seeded once: a re-run finds the footfall and keeps what is there.
 */
export async function seedHistory(db: Db, ctx: Ctx): Promise<'seeded' | 'kept'> {
  const [existing] = await db.query<{ n: number }>(
    `select count(*)::int as n from footfall
      where store_id in (select jsonb_array_elements_text($1::jsonb)::uuid)`,
    [JSON.stringify(DEMO_STORES.map((s) => s.id))],
  );
  if ((existing?.n ?? 0) > 0) return 'kept';
  const totals = { footfall: 0, visits: 0, orders: 0 };
  for (const store of DEMO_STORES) {
    const t = await seedStoreHistory(db, store, ctx);
    totals.footfall += t.footfall;
    totals.visits += t.visits;
    totals.orders += t.orders;
  }
  ctx.log(
    `history (${DAYS} days): footfall ${totals.footfall}, recognised visits ${totals.visits}, orders ${totals.orders}`,
  );
  return 'seeded';
}

async function seedStoreHistory(db: Db, store: DemoStore, ctx: Ctx) {
  const { faker } = ctx;
  const now = Date.now();
  const local = TZDate.tz(store.timezone);
  const regulars = ctx.customers.filter((c) => c.crm.homeStoreId === store.id);
  const pool = regulars.length > 0 ? regulars : ctx.customers;
  const customerIds = new Map(
    (
      await db.query<{ id: string; crm_id: string }>(
        `select id, crm_id from customers
          where crm_id in (select jsonb_array_elements_text($1::jsonb)) and merged_into is null`,
        [JSON.stringify(pool.map((c) => c.crm.crmId))],
      )
    ).map((r) => [r.crm_id, r.id]),
  );
  const guides = store.guides;
  const footfall: { at: string; count: number }[] = [];
  const orders: Order[] = [];
  let visits = 0;

  for (let back = DAYS - 1; back >= 0; back--) {
    for (let hour = store.opens; hour < store.closes; hour++) {
      const start = new TZDate(
        local.getFullYear(),
        local.getMonth(),
        local.getDate() - back,
        hour,
        0,
        0,
        store.timezone,
      );
      if (start.getTime() + 3_600_000 > now) continue;
      const count = Math.round(
        store.weight * faker.number.int({ min: 2, max: 7 }) * (PEAK[hour] ?? 1),
      );
      footfall.push({ at: start.toISOString(), count });

      // About a third of buyers are served after a recognised arrival; the rest are walk-ins.
      const recognised = faker.number.int({ min: 0, max: Math.max(1, Math.round(count / 6)) });
      for (let r = 0; r < recognised && pool.length > 0; r++) {
        const customer = faker.helpers.arrayElement(pool);
        const customerId = customerIds.get(customer.crm.crmId);
        if (!customerId) continue;
        const at = new Date(start.getTime() + faker.number.int({ min: 0, max: 55 * 60_000 }));
        const guide = faker.helpers.arrayElement(guides);
        const claimed = faker.datatype.boolean(0.65);
        const alertId = await recordPastArrival(
          db,
          store.id,
          customerId,
          at,
          claimed ? guide.id : null,
          faker,
        );
        if (!alertId) continue;
        visits += 1;
        if (claimed && faker.datatype.boolean(0.55))
          orders.push(
            order(
              store,
              guide.id,
              at.getTime() + faker.number.int({ min: 8, max: 40 }) * 60_000,
              ctx,
              customerId,
              alertId,
            ),
          );
      }
      const walkIns = Math.round(count * faker.number.float({ min: 0.12, max: 0.28 }));
      for (let w = 0; w < walkIns; w++)
        orders.push(
          order(
            store,
            faker.helpers.arrayElement(guides).id,
            start.getTime() + faker.number.int({ min: 0, max: 59 }) * 60_000,
            ctx,
          ),
        );
    }
  }

  await db.query(
    `insert into footfall(store_id, at, count)
     select $1, x.at, x.count from jsonb_to_recordset($2::jsonb) as x(at timestamptz, count int)`,
    [store.id, JSON.stringify(footfall)],
  );
  // Through the orders service, so customer summaries and visit conversions are what the hub
  // itself would have recorded.
  const terminal = {
    terminalId: store.terminals[0]!.id,
    storeId: store.id,
    name: store.terminals[0]!.name,
  };
  const past = orders
    .filter((o) => Date.parse(o.createdAt) < now)
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
  for (let i = 0; i < past.length; i += 500)
    await ingestOrders(db, terminal, past.slice(i, i + 500));
  return { footfall: footfall.reduce((n, f) => n + f.count, 0), visits, orders: past.length };
}

function order(
  store: DemoStore,
  guideId: string,
  at: number,
  ctx: Ctx,
  customerId?: string,
  alertId?: string,
): Order {
  const { faker } = ctx;
  const lines = faker.helpers
    .arrayElements(
      ctx.products,
      faker.helpers.weightedArrayElement([
        { weight: 55, value: 1 },
        { weight: 30, value: 2 },
        { weight: 15, value: 3 },
      ]),
    )
    .map((p) => {
      const quantity = faker.datatype.boolean(0.9) ? 1 : 2;
      // Members often get 10% off.
      const discount = faker.datatype.boolean(0.3) ? Math.round(p.price * quantity * 0.1) : 0;
      return { sku: p.sku, quantity, unitPrice: p.price, discount };
    });
  return {
    id: newId(),
    storeId: store.id,
    terminalId: store.terminals[0]!.id,
    guideId,
    ...(customerId ? { customerId } : {}),
    ...(alertId ? { alertId } : {}),
    paymentMethod: faker.helpers.weightedArrayElement(PAYMENTS),
    createdAt: new Date(at).toISOString(),
    lines,
  };
}

/** A past arrival: the visit, and its alert already claimed by a guide or expired unclaimed. */
async function recordPastArrival(
  db: Db,
  storeId: string,
  customerId: string,
  at: Date,
  claimedBy: string | null,
  faker: Faker,
): Promise<string | null> {
  const [customer] = await db.query<CardCustomerRow>(
    `select ${CARD_COLUMNS} from customers where id = $1`,
    [customerId],
  );
  if (!customer) return null;
  const card = await buildCustomerCard(db, storeId, customer);
  const visitId = newId();
  const alertId = newId();
  const raised = at.toISOString();
  const source = faker.helpers.arrayElement(['wifi', 'wifi', 'geofence', 'qr', 'beacon', 'app']);
  const expires = new Date(at.getTime() + ALERT_EXPIRY_MINUTES * 60_000).toISOString();
  const claimedAt = claimedBy
    ? new Date(at.getTime() + faker.number.int({ min: 1, max: 6 }) * 60_000).toISOString()
    : null;
  await db.transaction(async (tx) => {
    await tx.query(
      `insert into visits(id, store_id, customer_id, source, started_at, last_seen_at, sightings, alert_id)
       values ($1, $2, $3, $4, $5::timestamptz, $5::timestamptz + interval '20 minutes', 3, $6)`,
      [visitId, storeId, customerId, source, raised, alertId],
    );
    await tx.query(
      `insert into alerts(id, visit_id, store_id, customer_id, source, raised_at, expires_at, status,
                          claimed_by, claimed_at, card)
       values ($1, $2, $3, $4, $11, $5::timestamptz, $6::timestamptz, $7, $8, $9::timestamptz, $10::jsonb)`,
      [
        alertId,
        visitId,
        storeId,
        customerId,
        raised,
        expires,
        claimedBy ? 'claimed' : 'expired',
        claimedBy,
        claimedAt,
        JSON.stringify(card),
        source,
      ],
    );
  });
  return alertId;
}
