import type { FastifyInstance } from 'fastify';
import { endpoints } from '../../shared/protocol';
import type { HubContext } from '../context';
import { changeFeedTransaction, type Db } from '../db/database';
import { terminalOf } from '../http/access';
import { onEndpoint } from '../http/endpoint';
import { startPeriodicSweep } from '../periodic-sweep';
import { loadBindingRules, saveBindingRules } from './rules';
import { EXPIRY_BATCH, expireLapsedBindings } from './service';
import { transferBinding } from './transfer';

/**
 * - `POST /customers/:id/binding/transfer` (terminal): the store manager's transfer, PIN checked
 *   at the hub (server/bindings/transfer.ts); `customers:changed` to every terminal after commit.
 * - `GET|POST /admin/binding-rules` (IT / head office): the chain's rules, validated JSON.
 * Logs carry ids only.
 */
export function registerBindingRoutes(api: FastifyInstance, ctx: HubContext): void {
  onEndpoint(api, endpoints.transferBinding, async ({ request, params: { id }, body }) => {
    const terminal = terminalOf(request);
    const { cursor, ...answer } = await transferBinding(ctx.db, terminal, id, body);
    if (cursor) ctx.realtime.toAll('customers:changed', { cursor });
    request.log.info(
      {
        customerId: id,
        toGuideId: body.toGuideId,
        managerId: body.managerId,
        status: answer.status,
      },
      'customer binding transferred',
    );
    return answer;
  });
  onEndpoint(api, endpoints.adminGetBindingRules, async () => loadBindingRules(ctx.db));
  onEndpoint(api, endpoints.adminSetBindingRules, async ({ body }) =>
    saveBindingRules(ctx.db, body, 'admin_rest'),
  );
}

/** How often lapsed bindings are released (a binding lapses on a day scale; minutes are plenty). */
export const BINDING_SWEEP_MS = 10 * 60_000;

/**
 * Releases every binding that lapsed by `now`, in bounded transactions; returns the customers
 * released and the feed's new head (null when none).
 */
export async function sweepLapsedBindings(
  db: Db,
  now: Date = new Date(),
): Promise<{ expired: number; cursor: string | null }> {
  const rules = await loadBindingRules(db);
  let expired = 0;
  let cursor: string | null = null;
  for (;;) {
    const batch = await changeFeedTransaction(db, async (tx) => {
      return expireLapsedBindings(tx, now, rules);
    });
    expired += batch.expired.length;
    if (batch.cursor !== null) cursor = batch.cursor;
    if (batch.expired.length < EXPIRY_BATCH) return { expired, cursor };
  }
}

/** Starts the periodic release of lapsed bindings (once at start); returns stop. */
export function startBindingExpiry(ctx: HubContext): () => void {
  return startPeriodicSweep({
    what: 'binding expiry sweep',
    everyMs: BINDING_SWEEP_MS,
    runAtStart: true,
    log: ctx.log,
    sweep: async () => {
      const { expired, cursor } = await sweepLapsedBindings(ctx.db);
      if (cursor) ctx.realtime.toAll('customers:changed', { cursor });
      if (expired > 0) ctx.log.info({ expired }, 'lapsed customer bindings released');
    },
  });
}
