import type { FastifyInstance } from 'fastify';
import { endpoints, type TerminalInfo } from '../../shared/protocol';
import { phoneHashKey } from '../customers/phone-key';
import type { HubContext } from '../context';
import { terminalOf } from '../http/access';
import { onEndpoint } from '../http/endpoint';
import { ALERT_EXPIRY_MINUTES, VISIT_WINDOW_MINUTES } from '../presence/windows';
import { loadReturnSettings } from '../returns/settings';
import { loadOutreachSettings } from '../outreach/settings';
import { loadStore } from '../stores/stores';

/**
 * `GET /api/v1/terminal`: an enrolled terminal learns who it is, its store and the hash key.
 * `POST /api/v1/terminal/status`: it reports its build and undelivered outbox for IT's list.
 */
export function registerTerminalRoutes(api: FastifyInstance, ctx: HubContext): void {
  onEndpoint(api, endpoints.terminalInfo, async ({ request }): Promise<TerminalInfo> => {
    const terminal = terminalOf(request);
    const store = await loadStore(ctx.db, terminal.storeId);
    // A terminal's token names a store that exists (foreign key); a vanished one is a hub fault.
    if (!store) throw new Error('the store of an authenticated terminal is missing');
    await ctx.db.query('update terminals set last_seen_at = now() where id = $1', [
      terminal.terminalId,
    ]);
    return {
      terminalId: terminal.terminalId,
      name: terminal.name,
      store,
      phoneHashKey: await phoneHashKey(ctx.db),
      settings: {
        alertExpiryMinutes: ALERT_EXPIRY_MINUTES,
        visitWindowMinutes: VISIT_WINDOW_MINUTES,
        presenceSilenceMinutes: ctx.config.presenceSilenceMinutes,
        autoLockMinutes: 5,
        currency: 'CNY',
        locale: 'zh-CN',
        returnApprovalAboveFen: (await loadReturnSettings(ctx.db)).managerApprovalAboveFen,
        miniStoreUrlPattern: (await loadOutreachSettings(ctx.db)).miniStoreUrlPattern,
      },
      serverTime: new Date().toISOString(),
    };
  });

  onEndpoint(api, endpoints.terminalStatus, async ({ request, reply, body: report }) => {
    const terminal = terminalOf(request);
    // The hub's clock, like every other "last seen" stamp IT compares.
    const now = new Date().toISOString();
    await ctx.db.query(
      `update terminals set app_version = $2, pending_outbox = $3, rejected_outbox = $4,
         status_at = $5, last_seen_at = $5 where id = $1`,
      [terminal.terminalId, report.appVersion, report.pendingOutbox, report.rejectedOutbox, now],
    );
    return reply.code(204).send();
  });
}
