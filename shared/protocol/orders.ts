import { z } from 'zod';
import { MAX_LINES_PER_ORDER } from '../domain/limits';
import { fen, isoDate, isoInstant, sku, uuid } from './common';
import { lineQuantity, unitPriceFen } from './numbers';
import { orderAfterSale } from './returns';

export const paymentMethod = z.enum(['wechat', 'alipay', 'card', 'cash', 'unionpay', 'other']);
export type PaymentMethod = z.infer<typeof paymentMethod>;

export const orderLine = z
  .object({
    sku,
    quantity: lineQuantity,
    unitPrice: unitPriceFen,
    discount: fen.default(0),
  })
  .refine((l) => l.discount <= l.quantity * l.unitPrice, {
    message: 'discount exceeds the line amount',
    path: ['discount'],
  });
export type OrderLine = z.infer<typeof orderLine>;

/** An in-store order; `id` is a UUID generated on the terminal, so a resend is harmless. */
export const order = z.object({
  id: uuid,
  storeId: uuid,
  terminalId: uuid,
  guideId: uuid,
  customerId: uuid.optional(),
  alertId: uuid.optional(),
  paymentMethod,
  createdAt: isoInstant,
  lines: z
    .array(orderLine)
    .min(1)
    .max(MAX_LINES_PER_ORDER, `an order has at most ${MAX_LINES_PER_ORDER} lines`),
});
export type Order = z.infer<typeof order>;

export const MAX_ORDERS_PER_CALL = 500;
export const ordersRequest = z.object({ orders: z.array(order).min(1).max(MAX_ORDERS_PER_CALL) });
export type OrdersRequest = z.infer<typeof ordersRequest>;

/**
 * `GET /orders`: the orders of the terminal's store on one store-local day (default today), for
 * the counter's 今日订单 list and reprints; optionally one terminal's or one guide's. Newest first,
 * at most `MAX_STORE_ORDERS` (`hasMore` says more were left out).
 */
export const storeOrdersQuery = z.object({
  date: isoDate.optional(),
  terminalId: uuid.optional(),
  guideId: uuid.optional(),
});
export type StoreOrdersQuery = z.infer<typeof storeOrdersQuery>;

export const storeOrderLine = z.object({
  sku,
  /** the product's name now (the order keeps the SKU and price of the day) */
  name: z.string(),
  size: z.string().nullable(),
  /**
   * the product's colour now, as `size` (null: it has none). Absent from hubs before issue #17:
   * a terminal then takes it from its own catalog, when it holds the SKU.
   */
  colour: z.string().nullable().optional(),
  quantity: lineQuantity,
  unitPrice: unitPriceFen,
  discount: fen,
});

/** An order as the store reads it back: who sold it where, to whom (id only), what and for how much. */
export const storeOrder = z.object({
  id: uuid,
  createdAt: isoInstant,
  terminal: z.object({ id: uuid, name: z.string() }),
  guide: z.object({ id: uuid, name: z.string() }),
  customerId: uuid.nullable(),
  paymentMethod,
  total: fen,
  units: z.number().int().nonnegative(),
  lines: z.array(storeOrderLine),
  /** its voids and returns so far (absent from hubs before issue #16) */
  afterSale: orderAfterSale.optional(),
});
export type StoreOrder = z.infer<typeof storeOrder>;

export const MAX_STORE_ORDERS = 2000;
export const storeOrdersPage = z.object({
  date: isoDate,
  timezone: z.string(),
  orders: z.array(storeOrder),
  hasMore: z.boolean(),
});
export type StoreOrdersPage = z.infer<typeof storeOrdersPage>;
