import type { ShopGuideBridge } from '../../shared/bridge';
import { createApiClient } from '../../shared/api-client';
import { endpoints } from '../../shared/protocol';
import { err, ok, type Result } from '../../shared/result';
import { figuresFromDay, figuresFromRange, type Figures } from './figures';

export type StatsErrorCode =
  /** the hub could not be reached: show the last figures with their "as of" */
  | 'offline'
  /** the hub refused this terminal the figures (another store, revoked token) */
  | 'forbidden'
  | 'not_configured'
  | 'server'
  | 'invalid_response';
export type StatsError = { code: StatsErrorCode; message: string };
export type StatsResult = Result<Figures, StatsError>;

/** Where the dashboard gets its figures: the hub in the app, a stand-in in component tests. */
export type StatsSource = {
  fetchFigures(storeId: string, period: { from: string; to: string }): Promise<StatsResult>;
};

export type HubStatsSourceOptions = {
  bridge: ShopGuideBridge;
  fetch?: typeof globalThis.fetch;
  timeoutMs?: number;
};

/**
 * Figures from the hub's `/stores/:id/stats` through the shared API client, with the terminal
 * token from the platform bridge. A single day uses `?date=`, a range `?from=&to=`; the answer is
 * validated with the shared schema before anything is shown.
 */
export function hubStatsSource(options: HubStatsSourceOptions): StatsSource {
  const timeoutMs = options.timeoutMs ?? 20_000;
  return {
    async fetchFigures(storeId, { from, to }) {
      const [deployment, token] = await Promise.all([
        options.bridge.deployment(),
        options.bridge.getSecret('terminalToken'),
      ]);
      const hubUrl = deployment.ok ? deployment.value.hubUrl : null;
      if (!hubUrl || !token.ok || !token.value)
        return err({ code: 'not_configured', message: 'this terminal is not enrolled' });
      const api = createApiClient({
        baseUrl: hubUrl,
        credentials: { terminal: () => token.value },
        timeoutMs,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
      const answer = await api.call(endpoints.storeStats, {
        params: { storeId },
        query: from === to ? { date: from } : { from, to },
      });
      if (!answer.ok) {
        const { code, status, message } = answer.error;
        if (code === 'unauthorized' || status === 403) return err({ code: 'forbidden', message });
        // Unreachable, or a proxy answering 502/503/504 while the hub is down: an outage.
        if (code === 'network') return err({ code: 'offline', message });
        if (code === 'invalid_response') return err({ code: 'invalid_response', message });
        return err({ code: 'server', message });
      }
      const stats = answer.value;
      // A single day answers one day's figures; a period, its days and their totals.
      if (from === to)
        return 'days' in stats
          ? err({ code: 'invalid_response', message: 'a period where a day was asked for' })
          : ok(figuresFromDay(stats));
      return 'days' in stats
        ? ok(figuresFromRange(stats))
        : err({ code: 'invalid_response', message: 'a day where a period was asked for' });
    },
  };
}
