import type { FastifyInstance } from 'fastify';
import { endpoints, type BatchResponse } from '../../shared/protocol';
import type { HubContext } from '../context';
import { terminalOf } from '../http/access';
import { onEndpoint } from '../http/endpoint';
import { ingestConsentChanges } from './consents';
import { loadOutreachSettings, saveOutreachSettings } from './settings';

/**
 * Outreach (#15 item 4):
 * - `POST /customers/consents` (terminal): marketing consents given or withdrawn at the counter,
 *   idempotent by the terminal's id; `customers:changed` to every terminal after commit, so each
 *   knows who consented (offline too).
 * - `GET|POST /admin/outreach-settings` (IT / head office): the mini-store link pattern, validated.
 * Logs carry counts only.
 */
export function registerOutreachRoutes(api: FastifyInstance, ctx: HubContext): void {
  onEndpoint(
    api,
    endpoints.postConsents,
    async ({ request, body: { changes } }): Promise<BatchResponse> => {
      const terminal = terminalOf(request);
      const { results, cursor } = await ingestConsentChanges(ctx.db, terminal, changes);
      if (cursor) ctx.realtime.toAll('customers:changed', { cursor });
      return { results };
    },
  );
  onEndpoint(api, endpoints.adminGetOutreachSettings, async () => loadOutreachSettings(ctx.db));
  onEndpoint(api, endpoints.adminSetOutreachSettings, async ({ body }) =>
    saveOutreachSettings(ctx.db, body, 'admin_rest'),
  );
}
