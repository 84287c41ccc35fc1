import { z } from 'zod';
import { fen, isoInstant, sku, uuid } from './common';

export const paymentMethod = z.enum(['wechat', 'alipay', 'card', 'cash', 'unionpay', 'other']);
export type PaymentMethod = z.infer<typeof paymentMethod>;

export const orderLine = z
  .object({
    sku,
    quantity: z.number().int().positive().max(10_000),
    unitPrice: fen,
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
  lines: z.array(orderLine).min(1).max(200),
});
export type Order = z.infer<typeof order>;

export const MAX_ORDERS_PER_CALL = 500;
export const ordersRequest = z.object({ orders: z.array(order).min(1).max(MAX_ORDERS_PER_CALL) });
export type OrdersRequest = z.infer<typeof ordersRequest>;
