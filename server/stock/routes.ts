import type { FastifyInstance } from 'fastify';
import { endpoints } from '../../shared/protocol';
import type { HubContext } from '../context';
import { terminalOf } from '../http/access';
import { onEndpoint } from '../http/endpoint';
import { otherStoresStock } from './other-stores';

/** `POST /api/v1/stock/other-stores` `{sku, limit}`: where else in the chain a product is. */
export function registerStockRoutes(api: FastifyInstance, ctx: HubContext): void {
  onEndpoint(api, endpoints.otherStoresStock, async ({ request, body }) => {
    const terminal = terminalOf(request);
    return otherStoresStock(ctx.db, terminal.storeId, body.sku, body.limit);
  });
}
