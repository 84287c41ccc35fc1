import type { FastifyInstance } from 'fastify';
import { endpoints, type BatchResponse, type StoreOrder } from '../../shared/protocol';
import type { HubContext } from '../context';
import { terminalOf } from '../http/access';
import { onEndpoint } from '../http/endpoint';
import { settleAfterWrite } from '../customers/scope-runner';
import { ingestOrders } from './service';
import { storeOrderById, storeOrders } from './store-orders';
import { notFound } from '../http/errors';

/** `POST /api/v1/orders`: a terminal uploads its queued orders (≤ 500 per call). */
export function registerOrderRoutes(api: FastifyInstance, ctx: HubContext): void {
  onEndpoint(
    api,
    endpoints.postOrders,
    // The whole envelope is checked first: one malformed order means nothing is written.
    async ({ request, body: { orders } }): Promise<BatchResponse> => {
      const terminal = terminalOf(request);
      const outcome = await ingestOrders(ctx.db, terminal, orders, (error, attempt) =>
        request.log.warn({ err: error, attempt }, 'orders batch hit a lock conflict; retrying'),
      );
      // Broadcast only after commit, so a terminal that reacts by pulling sees the new rows.
      await settleAfterWrite(ctx);
      for (const update of outcome.alertUpdates)
        ctx.realtime.toStore(update.storeId, 'alert:updated', update);
      if (outcome.customersCursor !== null)
        ctx.realtime.toAll('customers:changed', { cursor: outcome.customersCursor });
      // Sales moved this store's stock: its terminals pull the catalog feed for the new figures.
      if (outcome.catalogCursor !== null)
        ctx.realtime.toStore(terminal.storeId, 'catalog:changed', {
          cursor: outcome.catalogCursor,
        });
      if (outcome.stockShortfalls > 0)
        request.log.warn(
          { terminalId: terminal.terminalId, lines: outcome.stockShortfalls },
          'order lines sold beyond recorded stock; stock left at 0 (stock_movements.shortfall)',
        );
      const accepted = outcome.results.filter((r) => r.status === 'accepted').length;
      request.log.info(
        { terminalId: terminal.terminalId, orders: orders.length, accepted },
        'orders received',
      );
      return { results: outcome.results };
    },
  );

  // The counter's 今日订单 and reprints: this terminal's store only, whatever the query says.
  onEndpoint(api, endpoints.storeOrders, async ({ request, query }) =>
    storeOrders(ctx.db, terminalOf(request).storeId, query),
  );
  onEndpoint(
    api,
    endpoints.storeOrder,
    async ({ request, params: { orderId } }): Promise<StoreOrder> => {
      const order = await storeOrderById(ctx.db, terminalOf(request).storeId, orderId);
      // Another store's order reads as unknown: a terminal learns nothing about other stores.
      if (!order) throw notFound('no such order in this store');
      return order;
    },
  );
}
