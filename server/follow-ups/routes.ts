import type { FastifyInstance } from 'fastify';
import { endpoints, type BatchResponse, type FollowUpItem } from '../../shared/protocol';
import type { HubContext } from '../context';
import { terminalOf } from '../http/access';
import { onEndpoint } from '../http/endpoint';
import { badRequest } from '../http/errors';
import { startPeriodicSweep } from '../periodic-sweep';
import type { FeedPage } from '../sync/feeds';
import { followUpFeedPage } from './feed';
import { generateFollowUps } from './generate';
import { ingestFollowUpOutcomes, ingestVisitOutcomes } from './outcomes';

const MAX_BIGINT = 2n ** 63n - 1n;

/** Tells the stores' terminals to pull their follow-up feed (after commit). */
export function announceFollowUps(ctx: HubContext, stores: Iterable<string>): void {
  for (const storeId of stores) ctx.realtime.toStore(storeId, 'followups:changed', { cursor: '0' });
}

/** Follow-ups (跟进) and visit outcomes, #15 items 3 and 5. */
export function registerFollowUpRoutes(api: FastifyInstance, ctx: HubContext): void {
  onEndpoint(
    api,
    endpoints.syncFollowUps,
    async ({ request, query }): Promise<FeedPage<FollowUpItem>> => {
      const terminal = terminalOf(request);
      if (BigInt(query.after) > MAX_BIGINT)
        throw badRequest('invalid query', [{ path: 'after', message: 'cursor out of range' }]);
      return followUpFeedPage(ctx.db, terminal.storeId, query);
    },
  );

  onEndpoint(
    api,
    endpoints.postVisitOutcomes,
    async ({ request, body: { outcomes } }): Promise<BatchResponse> => {
      const terminal = terminalOf(request);
      const { results, storesChanged } = await ingestVisitOutcomes(ctx.db, terminal, outcomes, {
        now: new Date(),
        afterPurchaseDays: ctx.config.followUpAfterPurchaseDays,
      });
      announceFollowUps(ctx, storesChanged);
      return { results };
    },
  );

  onEndpoint(
    api,
    endpoints.postFollowUpOutcomes,
    async ({ request, body: { outcomes } }): Promise<BatchResponse> => {
      const terminal = terminalOf(request);
      const { results, storesChanged } = await ingestFollowUpOutcomes(ctx.db, terminal, outcomes);
      announceFollowUps(ctx, storesChanged);
      return { results };
    },
  );
}

/** The periodic generation (every HUB_FOLLOW_UP_SWEEP_MS, and once at start). Returns stop. */
export function startFollowUpSweep(ctx: HubContext): () => void {
  return startPeriodicSweep({
    what: 'follow-up generation',
    everyMs: ctx.config.followUpSweepMs,
    runAtStart: true,
    log: ctx.log,
    sweep: async () => {
      const stores = await generateFollowUps(ctx.db, {
        now: new Date(),
        afterPurchaseDays: ctx.config.followUpAfterPurchaseDays,
      });
      announceFollowUps(ctx, stores);
    },
  });
}
