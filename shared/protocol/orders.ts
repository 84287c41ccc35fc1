import { z } from 'zod';
import { MAX_LINES_PER_ORDER } from '../domain/limits';
import { fen, isoInstant, sku, uuid } from './common';
import { lineQuantity, unitPriceFen } from './numbers';

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
