import type { FastifyInstance } from 'fastify';
import { terminalStatusReport, type TerminalInfo } from '../../shared/protocol';
import { phoneHashKey } from '../admin/service';
import type { HubContext } from '../context';
import { terminalOf } from '../http/access';
import { parseInput } from '../http/errors';

export const ALERT_EXPIRY_MINUTES = 30;
export const VISIT_WINDOW_MINUTES = 30;

/**
 * `GET /api/v1/terminal`: an enrolled terminal learns who it is, its store and the hash key.
 * `POST /api/v1/terminal/status`: it reports its build and undelivered outbox for IT's list.
 */
export function registerTerminalRoutes(api: FastifyInstance, ctx: HubContext): void {
  api.get(
    '/terminal',
    { config: { access: 'terminal' } },
    async (request): Promise<TerminalInfo> => {
      const terminal = terminalOf(request);
      const [store] = await ctx.db.query<{
        id: string;
        name: string;
        timezone: string;
        lat: number;
        lng: number;
        geofence_radius_m: number;
      }>('select id, name, timezone, lat, lng, geofence_radius_m from stores where id = $1', [
        terminal.storeId,
      ]);
      await ctx.db.query('update terminals set last_seen_at = now() where id = $1', [
        terminal.terminalId,
      ]);
      return {
        terminalId: terminal.terminalId,
        name: terminal.name,
        store: {
          id: store!.id,
          name: store!.name,
          timezone: store!.timezone,
          lat: Number(store!.lat),
          lng: Number(store!.lng),
          geofenceRadiusM: Number(store!.geofence_radius_m),
        },
        phoneHashKey: await phoneHashKey(ctx.db),
        settings: {
          alertExpiryMinutes: ALERT_EXPIRY_MINUTES,
          visitWindowMinutes: VISIT_WINDOW_MINUTES,
          autoLockMinutes: 5,
          currency: 'CNY',
          locale: 'zh-CN',
        },
        serverTime: new Date().toISOString(),
      };
    },
  );

  api.post('/terminal/status', { config: { access: 'terminal' } }, async (request, reply) => {
    const terminal = terminalOf(request);
    const report = parseInput(terminalStatusReport, request.body);
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
