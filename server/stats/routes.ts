import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  statsQuery,
  statsRangeQuery,
  uuid,
  type DayStats,
  type RangeStats,
} from '../../shared/protocol';
import { requireSameStore } from '../auth/guards';
import type { HubContext } from '../context';
import { terminalOf } from '../http/access';
import { parseInput } from '../http/errors';
import { storeDayStats, storeRangeStats } from './service';

/**
 * `GET /api/v1/stores/:storeId/stats?date=YYYY-MM-DD` — one store-local day — or
 * `?from=YYYY-MM-DD&to=YYYY-MM-DD` — each day of a period plus its totals. Terminals see only
 * their own store.
 */
export function registerStatsRoutes(api: FastifyInstance, ctx: HubContext): void {
  api.get<{ Params: { storeId: string }; Querystring: Record<string, unknown> }>(
    '/stores/:storeId/stats',
    { config: { access: 'terminal' } },
    async (request): Promise<DayStats | RangeStats> => {
      const terminal = terminalOf(request);
      // A malformed id is a 400 like any other input; a well-formed id (lower-cased, as the hub
      // stores it) of another store is forbidden.
      const { storeId } = parseInput(z.object({ storeId: uuid }), request.params, 'store id');
      requireSameStore(terminal, storeId);
      if (request.query.date !== undefined) {
        const { date } = parseInput(statsQuery, request.query, 'query');
        const { days } = await storeDayStats(ctx.db, terminal.storeId, [date]);
        return days[0]!;
      }
      const { from, to } = parseInput(statsRangeQuery, request.query, 'query');
      return storeRangeStats(ctx.db, terminal.storeId, from, to);
    },
  );
}
