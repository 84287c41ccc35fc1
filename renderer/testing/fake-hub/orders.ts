import type {
  ItemResult,
  Order,
  OrderReturn,
  StoreOrder,
  StoreOrdersPage,
  StoreOrdersQuery,
} from '../../../shared/protocol';
import { orderTotals } from '../../../shared/domain/money';
import { err, ok } from '../../../shared/result';
import type { HubResult } from '../../sync/hub-client';
import type { FakeHubState } from './state';

/** `POST /orders`, one order: idempotent by id, refused for an inactive guide or unknown SKU. */
export function acceptOrder(hub: FakeHubState, order: Order): ItemResult {
  hub.orderPosts.set(order.id, (hub.orderPosts.get(order.id) ?? 0) + 1);
  if (hub.orders.has(order.id)) return { id: order.id, status: 'duplicate' };
  // As the hub answers (server/orders/service.ts): a code, the English reason, what it is about.
  if (hub.inactiveGuides.has(order.guideId))
    return {
      id: order.id,
      status: 'rejected',
      code: 'guide_inactive',
      reason: `guide ${order.guideId} is not an active guide of this store`,
      about: [order.guideId],
    };
  const bad = [...new Set(order.lines.map((l) => l.sku).filter((s) => hub.rejectSkus.has(s)))];
  if (bad.length > 0)
    return {
      id: order.id,
      status: 'rejected',
      code: 'unknown_sku',
      reason: `unknown SKU: ${bad.join(', ')}`,
      about: bad,
    };
  hub.orders.set(order.id, structuredClone(order));
  return { id: order.id, status: 'accepted' };
}

/** `POST /returns`, one void, return or exchange: idempotent by id, of an order the hub has. */
export function acceptReturn(hub: FakeHubState, r: OrderReturn): ItemResult {
  if (hub.returns.has(r.id)) return { id: r.id, status: 'duplicate' };
  if (!hub.orders.has(r.orderId))
    return { id: r.id, status: 'rejected', code: 'unknown_order', reason: 'no order' };
  hub.returns.set(r.id, structuredClone(r));
  return { id: r.id, status: 'accepted' };
}

/** `GET /orders`: the store's orders of one local day, newest first. */
export function storeOrders(
  hub: FakeHubState,
  query: StoreOrdersQuery,
): HubResult<StoreOrdersPage> {
  // The fake's store is in Shanghai (UTC+8, no DST): its day is the UTC day 8 h ahead.
  const localDay = (t: number) => new Date(t + 8 * 3_600_000).toISOString().slice(0, 10);
  const date = query.date ?? localDay(hub.now());
  const orders = [...hub.orders.values()]
    .filter(
      (o) =>
        localDay(Date.parse(o.createdAt)) === date &&
        (!query.terminalId || o.terminalId === query.terminalId) &&
        (!query.guideId || o.guideId === query.guideId),
    )
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .map((o) => storeOrderOf(hub, o));
  return ok({
    date,
    timezone: 'Asia/Shanghai',
    orders,
    hasMore: false,
  });
}

/** `GET /orders/:orderId`. */
export function storeOrder(hub: FakeHubState, orderId: string): HubResult<StoreOrder> {
  const order = hub.orders.get(orderId);
  return order
    ? ok(storeOrderOf(hub, order))
    : err({ code: 'rejected' as const, message: 'no such order', status: 404 });
}

/** An accepted order as the hub reads it back (`GET /orders`). */
function storeOrderOf(hub: FakeHubState, order: Order): StoreOrder {
  const { total, units } = orderTotals(order.lines);
  const guide = hub.staff.find((s) => s.id === order.guideId);
  return {
    id: order.id,
    createdAt: order.createdAt,
    terminal: {
      id: order.terminalId,
      name: hub.terminalNames.get(order.terminalId) ?? '收银台',
    },
    guide: { id: order.guideId, name: guide?.name ?? '' },
    customerId: order.customerId ?? null,
    paymentMethod: order.paymentMethod,
    total,
    units,
    lines: order.lines.map((l) => {
      const product = [...hub.products.values()].find((p) => p.sku === l.sku);
      return {
        sku: l.sku,
        name: product?.name ?? l.sku,
        size: product?.size ?? null,
        colour: product?.colour ?? null,
        quantity: l.quantity,
        unitPrice: l.unitPrice,
        discount: l.discount,
      };
    }),
    afterSale: afterSaleOf(hub, order),
  };
}

/** What the fake's returns did to an order (units per line; no refund arithmetic). */
function afterSaleOf(hub: FakeHubState, order: Order): NonNullable<StoreOrder['afterSale']> {
  const mine = [...hub.returns.values()].filter((r) => r.orderId === order.id);
  const byLine = order.lines.map((_, i) =>
    mine.reduce((n, r) => n + (r.lines.find((l) => l.lineNo === i + 1)?.quantity ?? 0), 0),
  );
  return {
    refunded: 0,
    returnedUnits: byLine.reduce((a, b) => a + b, 0),
    voided: mine.some((r) => r.kind === 'void'),
    returnedByLine: byLine,
  };
}
