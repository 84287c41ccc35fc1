import { TrailingRun } from '../../shared/trailing-run';
import type { HubContext } from '../context';
import { startPeriodicSweep } from '../periodic-sweep';
import { settleStoreScopes } from './scope';

/** How often the background round numbers scope entries no request settled (ms). */
const SCOPE_SWEEP_MS = 1_000;
/**
 * The least time between two settles on one hub (ms): writes arriving meanwhile share the next one,
 * so at 200 arrivals/s settling costs at most 20 lock-holding transactions a second, not 200.
 */
export const SETTLE_SPACING_MS = 50;

/**
 * Settles the store scopes (server/customers/scope.ts) and, when the hub serves store-scoped
 * feeds, tells each touched store's terminals to pull. Called after the commit of a write that can
 * bring a member into a store (presence, orders, registration, CRM import, search), so the next
 * pull carries them; never fails the request that called it (the periodic round retries).
 */
export async function settleScopesNow(ctx: HubContext): Promise<void> {
  try {
    for (let backlog = false; ; backlog = true) {
      const settled = await settleStoreScopes(ctx.db, ctx.config.storeScopeCap);
      const { cursor, more } = settled;
      // Not the stores whose only news is members who walked in: each one's alert carried her
      // profile (migration 030). One message for the rest (one Redis publish per settle).
      if (cursor !== null && ctx.config.customerFeedScope === 'store') {
        const quiet = new Set(settled.quiet);
        const stores = settled.stores.filter((id) => !quiet.has(id));
        ctx.realtime.toStores(stores, 'customers:changed', { cursor });
      }
      if (!more) {
        if (backlog) await refreshScopeStatistics(ctx);
        return;
      }
      // A backlog (a large import, the first start after migration 021): let requests in between.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } catch (error) {
    ctx.log.warn({ err: error }, 'store scopes not settled; the next round retries');
  }
}

/**
 * One settle at a time per hub; a write committed while one runs is answered by the next, which
 * every write meanwhile shares (TrailingRun), and runs are at least SETTLE_SPACING_MS apart.
 * Settling per request took the change-feed lock for each arrival and queued every presence
 * behind it (docs/scaling.md, "What scopes cost an arrival").
 */
const settlers = new WeakMap<HubContext, TrailingRun>();

export function settleCoalesced(ctx: HubContext): Promise<void> {
  let settler = settlers.get(ctx);
  if (!settler) {
    let lastEnd = 0;
    settler = new TrailingRun(async () => {
      const wait = lastEnd + SETTLE_SPACING_MS - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      try {
        await settleScopesNow(ctx);
      } finally {
        lastEnd = Date.now();
      }
    });
    settlers.set(ctx, settler);
  }
  return settler.run();
}

/**
 * After a write that can bring a member into a store. When terminals read store-scoped feeds the
 * caller waits for a settle that started after its commit, so the store's next pull carries the
 * member; with the chain feed nobody reads the scope's numbers and the 1 s round settles them.
 */
export async function settleAfterWrite(ctx: HubContext): Promise<void> {
  if (ctx.config.customerFeedScope === 'store') await settleCoalesced(ctx);
}

/**
 * Fresh planner statistics for the scope table. The embedded PGlite has no autovacuum, so a table
 * filled in bulk (migration 021's backfill, a large import) keeps the estimate of a few hundred
 * rows per store; the store feed's page query was then planned as "read every remaining scope row
 * of the store, join each, sort, keep 1,001" — 2.3 s a page at 200,000 members instead of
 * milliseconds (docs/benchmarks.md, "Initial sync at chain scale"). ANALYZE samples the table
 * (≈ 0.1–0.3 s) and blocks no reader or writer. On PostgreSQL autovacuum does the same anyway.
 */
async function refreshScopeStatistics(ctx: HubContext): Promise<void> {
  try {
    await ctx.db.query('analyze customer_store_scope');
  } catch (error) {
    ctx.log.warn({ err: error }, 'store scope statistics not refreshed');
  }
}

/**
 * The background round: entries whose writer did not settle them (another node, a crash). Its
 * first round also refreshes the scope table's statistics (see `refreshScopeStatistics`).
 */
export function startScopeSweep(ctx: HubContext): () => void {
  let analyzed = false;
  return startPeriodicSweep({
    what: 'store scope settle',
    everyMs: SCOPE_SWEEP_MS,
    runAtStart: true,
    log: ctx.log,
    sweep: async () => {
      if (!analyzed) {
        analyzed = true;
        await refreshScopeStatistics(ctx);
      }
      await settleCoalesced(ctx);
    },
  });
}
