import {
  MAX_STORE_ORDERS,
  type PaymentMethod,
  type StoreOrder,
  type StoreOrdersPage,
  type StoreOrdersQuery,
} from '../../shared/protocol';
import type { Queryable } from '../db/database';
import { localDate, storeDay } from '../stats/store-day';
import { storeTimezone } from './lookups';

type Row = {
  id: string;
  created_at: string;
  terminal_id: string;
  terminal_name: string;
  guide_id: string;
  guide_name: string;
  customer_id: string | null;
  payment_method: PaymentMethod;
  total: string;
  units: number;
  refunded: string;
  returned_units: number;
  voided: boolean;
  lines: {
    sku: string;
    name: string | null;
    size: string | null;
    colour: string | null;
    quantity: number;
    unit_price: string;
    discount: string;
    returned: number;
  }[];
};

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** One query for a page of a store's orders, with their lines, terminal and guide names. */
const SELECT = `
  select o.id, to_char(o.created_at at time zone 'UTC', ${ISO}) as created_at,
         t.id as terminal_id, t.name as terminal_name, g.id as guide_id, g.name as guide_name,
         o.customer_id, o.payment_method, o.total::text as total, o.units,
         o.refunded::text as refunded, o.returned_units, o.voided_at is not null as voided,
         coalesce((select jsonb_agg(jsonb_build_object(
                    'sku', l.sku, 'name', p.name, 'size', p.size, 'colour', p.colour,
                    'quantity', l.quantity,
                    'unit_price', l.unit_price::text, 'discount', l.discount::text,
                    'returned', coalesce((select sum(rl.quantity) from order_return_lines rl
                                           where rl.order_id = l.order_id
                                             and rl.line_no = l.line_no), 0))
                    order by l.line_no)
                   from order_lines l left join products p on p.id = l.product_id
                  where l.order_id = o.id), '[]'::jsonb) as lines
    from orders o
    join terminals t on t.id = o.terminal_id
    join guides g on g.id = o.guide_id`;

function toStoreOrder(r: Row): StoreOrder {
  const lines = typeof r.lines === 'string' ? (JSON.parse(r.lines) as Row['lines']) : r.lines;
  return {
    id: r.id,
    createdAt: r.created_at,
    terminal: { id: r.terminal_id, name: r.terminal_name },
    guide: { id: r.guide_id, name: r.guide_name },
    customerId: r.customer_id,
    paymentMethod: r.payment_method,
    total: Number(r.total),
    units: Number(r.units),
    lines: lines.map((l) => ({
      sku: l.sku,
      name: l.name ?? l.sku,
      size: l.size,
      colour: l.colour,
      quantity: l.quantity,
      unitPrice: Number(l.unit_price),
      discount: Number(l.discount),
    })),
    afterSale: {
      refunded: Number(r.refunded),
      returnedUnits: Number(r.returned_units),
      voided: r.voided === true,
      returnedByLine: lines.map((l) => Number(l.returned)),
    },
  };
}

/**
 * A store's orders on one store-local day (default: today there), newest first, optionally of one
 * terminal or one guide. The day is the store's own (its time zone, DST included), as on the
 * receipt and in the day's figures.
 */
export async function storeOrders(
  db: Queryable,
  storeId: string,
  query: StoreOrdersQuery,
  now: Date = new Date(),
): Promise<StoreOrdersPage> {
  const timezone = await storeTimezone(db, storeId);
  const date = query.date ?? localDate(now, timezone);
  const { from, to } = storeDay(date, timezone);
  const rows = await db.query<Row>(
    `${SELECT}
      where o.store_id = $1 and o.created_at >= $2 and o.created_at < $3
        and ($4::uuid is null or o.terminal_id = $4::uuid)
        and ($5::uuid is null or o.guide_id = $5::uuid)
      order by o.created_at desc, o.id desc
      limit $6`,
    [
      storeId,
      from.toISOString(),
      to.toISOString(),
      query.terminalId ?? null,
      query.guideId ?? null,
      MAX_STORE_ORDERS + 1,
    ],
  );
  return {
    date,
    timezone,
    orders: rows.slice(0, MAX_STORE_ORDERS).map(toStoreOrder),
    hasMore: rows.length > MAX_STORE_ORDERS,
  };
}

/** One order of this store (a receipt scanned at the counter), or null. */
export async function storeOrderById(
  db: Queryable,
  storeId: string,
  orderId: string,
): Promise<StoreOrder | null> {
  const [row] = await db.query<Row>(`${SELECT} where o.store_id = $1 and o.id = $2`, [
    storeId,
    orderId,
  ]);
  return row ? toStoreOrder(row) : null;
}
