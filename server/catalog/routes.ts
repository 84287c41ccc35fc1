import type { FastifyInstance } from 'fastify';
import { endpoints, type BatchResponse } from '../../shared/protocol';
import type { HubContext } from '../context';
import { onEndpoint } from '../http/endpoint';
import { upsertProducts } from './service';

/** Head office keeps the catalog and per-store stock current (`X-Integration-Key`). */
export function registerCatalogRoutes(api: FastifyInstance, ctx: HubContext): void {
  onEndpoint(
    api,
    endpoints.importProducts,
    async ({ body: { products } }): Promise<BatchResponse> => {
      const { results, cursor } = await upsertProducts(ctx.db, products);
      // After commit: a terminal that pulls on this signal is guaranteed to see the rows.
      if (cursor) ctx.realtime.toAll('catalog:changed', { cursor });
      return { results };
    },
  );
}
