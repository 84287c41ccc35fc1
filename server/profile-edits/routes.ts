import type { FastifyInstance } from 'fastify';
import { endpoints, type BatchResponse } from '../../shared/protocol';
import type { HubContext } from '../context';
import { terminalOf } from '../http/access';
import { onEndpoint } from '../http/endpoint';
import { ingestProfileEdits } from './ingest';

/**
 * Profile upkeep (#16 item 7): `POST /customers/profile-edits` (terminal), idempotent by the
 * edit's id; `customers:changed` to every terminal after commit, so each pulls the new profile.
 * Logs carry counts only (notes may name people).
 */
export function registerProfileEditRoutes(api: FastifyInstance, ctx: HubContext): void {
  onEndpoint(
    api,
    endpoints.postProfileEdits,
    async ({ request, body: { edits } }): Promise<BatchResponse> => {
      const { results, cursor } = await ingestProfileEdits(ctx.db, terminalOf(request), edits);
      if (cursor) ctx.realtime.toAll('customers:changed', { cursor });
      return { results };
    },
  );
}
