import type { FastifyInstance } from 'fastify';
import { productUpsertRequest, type BatchResponse } from '../../shared/protocol';
import type { HubContext } from '../context';
import { BATCH_BODY_LIMIT } from '../http/access';
import { parseInput } from '../http/errors';
import { upsertProducts } from './service';

/** Head office keeps the catalog and per-store stock current (`X-Integration-Key`). */
export function registerCatalogRoutes(api: FastifyInstance, ctx: HubContext): void {
  api.post(
    '/integration/products',
    { config: { access: 'integration' }, bodyLimit: BATCH_BODY_LIMIT },
    async (request): Promise<BatchResponse> => {
      const { products } = parseInput(productUpsertRequest, request.body);
      const { results, cursor } = await upsertProducts(ctx.db, products);
      // After commit: a terminal that pulls on this signal is guaranteed to see the rows.
      if (cursor) ctx.realtime.toAll('catalog:changed', { cursor });
      return { results };
    },
  );
}
