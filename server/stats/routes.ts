import type { FastifyInstance } from 'fastify';
import { endpoints, type DayStats, type RangeStats } from '../../shared/protocol';
import { requireSameStore } from '../auth/guards';
import type { HubContext } from '../context';
import { terminalOf } from '../http/access';
import { onEndpoint } from '../http/endpoint';
import { storeDayWithPerformance, storeRangeStats } from './service';

/**
 * `GET /api/v1/stores/:storeId/stats?date=YYYY-MM-DD` — one store-local day — or
 * `?from=YYYY-MM-DD&to=YYYY-MM-DD` — each day of a period plus its totals. Terminals see only
 * their own store.
 */
export function registerStatsRoutes(api: FastifyInstance, ctx: HubContext): void {
  onEndpoint(
    api,
    endpoints.storeStats,
    async ({ request, params: { storeId }, query }): Promise<DayStats | RangeStats> => {
      const terminal = terminalOf(request);
      // A malformed id is a 400 like any other input; a well-formed id (lower-cased, as the hub
      // stores it) of another store is forbidden.
      requireSameStore(terminal, storeId);
      if (query.date !== undefined)
        return storeDayWithPerformance(ctx.db, terminal.storeId, query.date);
      // The query schema guarantees both ends of a period when no day is given.
      return storeRangeStats(ctx.db, terminal.storeId, query.from!, query.to!);
    },
  );
}
