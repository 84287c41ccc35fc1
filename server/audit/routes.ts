import type { FastifyInstance } from 'fastify';
import { endpoints, type BatchResponse, type ItemResult } from '../../shared/protocol';
import type { HubContext } from '../context';
import { terminalOf } from '../http/access';
import { onEndpoint } from '../http/endpoint';

/**
 * `POST /api/v1/audit` — a terminal's record of which guide opened which customer profile (and,
 * as terminals adopt them, phone lookups, CSV exports and sign-ins).
 * Idempotent by the terminal-generated id; an entry naming a guide of another store is rejected.
 */
export function registerAuditRoutes(api: FastifyInstance, ctx: HubContext): void {
  onEndpoint(
    api,
    endpoints.postAudit,
    async ({ request, body: { entries } }): Promise<BatchResponse> => {
      const terminal = terminalOf(request);
      const guideIds = [...new Set(entries.flatMap((e) => (e.guideId ? [e.guideId] : [])))];
      const guides = new Set(
        guideIds.length === 0
          ? []
          : (
              await ctx.db.query<{ id: string }>(
                'select id from guides where store_id = $1 and id = any($2::uuid[])',
                [terminal.storeId, guideIds],
              )
            ).map((g) => g.id),
      );
      const results = new Map<string, ItemResult>();
      const valid = entries.filter((e) => {
        if (e.guideId && !guides.has(e.guideId.toLowerCase())) {
          results.set(e.id, {
            id: e.id,
            status: 'rejected',
            reason: `guide ${e.guideId} is not a guide of this store`,
          });
          return false;
        }
        return true;
      });
      if (valid.length > 0) {
        const inserted = await ctx.db.query<{ id: string }>(
          `insert into audit_log(id, store_id, terminal_id, guide_id, customer_id, action, at, detail)
         select e.id, $1, $2, e.guide_id, e.customer_id, e.action, e.at, e.detail
         from jsonb_to_recordset($3::jsonb)
           as e(id uuid, guide_id uuid, customer_id uuid, action text, at timestamptz, detail jsonb)
         on conflict (id) do nothing returning id`,
          [
            terminal.storeId,
            terminal.terminalId,
            JSON.stringify(
              valid.map((e) => ({
                id: e.id,
                guide_id: e.guideId,
                customer_id: e.customerId,
                action: e.action,
                at: e.at,
                detail: e.detail ?? null,
              })),
            ),
          ],
        );
        const fresh = new Set(inserted.map((r) => r.id));
        for (const e of valid)
          results.set(e.id, {
            id: e.id,
            status: fresh.has(e.id.toLowerCase()) ? 'accepted' : 'duplicate',
          });
      }
      return { results: entries.map((e) => results.get(e.id)!) };
    },
  );
}
