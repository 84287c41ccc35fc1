import type { FastifyInstance } from 'fastify';
import { endpoints, type BatchResponse } from '../../shared/protocol';
import type { HubContext } from '../context';
import { terminalOf } from '../http/access';
import { onEndpoint } from '../http/endpoint';
import { ingestReturns } from './service';
import { loadReturnSettings, saveReturnSettings } from './settings';

/**
 * - `POST /returns` (terminal): queued voids, returns and exchanges (server/returns/service.ts);
 *   after commit the store's terminals pull the catalog feed (stock back up) and every terminal
 *   the customer feed (spend down).
 * - `GET|POST /admin/return-settings` (IT / head office): the manager-approval threshold.
 * Logs carry ids and counts only.
 */
export function registerReturnRoutes(api: FastifyInstance, ctx: HubContext): void {
  onEndpoint(api, endpoints.postReturns, async ({ request, body: { returns } }) => {
    const terminal = terminalOf(request);
    const outcome = await ingestReturns(ctx.db, terminal, returns, (error, attempt) =>
      request.log.warn({ err: error, attempt }, 'returns batch hit a lock conflict; retrying'),
    );
    if (outcome.catalogCursor !== null)
      ctx.realtime.toStore(terminal.storeId, 'catalog:changed', { cursor: outcome.catalogCursor });
    if (outcome.customersCursor !== null)
      ctx.realtime.toAll('customers:changed', { cursor: outcome.customersCursor });
    const accepted = outcome.results.filter((r) => r.status === 'accepted').length;
    request.log.info(
      { terminalId: terminal.terminalId, returns: returns.length, accepted },
      'returns received',
    );
    const answer: BatchResponse = { results: outcome.results };
    return answer;
  });
  onEndpoint(api, endpoints.adminGetReturnSettings, async () => loadReturnSettings(ctx.db));
  onEndpoint(api, endpoints.adminSetReturnSettings, async ({ body }) =>
    saveReturnSettings(ctx.db, body, 'admin_rest'),
  );
}
