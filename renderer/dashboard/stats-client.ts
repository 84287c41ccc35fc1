import type { ShopGuideBridge } from '../../shared/bridge';
import { API_PREFIX, dayStats, errorBody, rangeStats } from '../../shared/protocol';
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
 * Figures from the hub's `/stores/:id/stats`, with the terminal token from the platform bridge
 * (the sync client's own request helper is private to renderer/sync, so this is the dashboard's
 * one small fetch). A single day uses `?date=`, a range `?from=&to=`; the answer is validated
 * with the shared schema before anything is shown.
 */
export function hubStatsSource(options: HubStatsSourceOptions): StatsSource {
  const doFetch =
    options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));
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
      const query =
        from === to
          ? `date=${encodeURIComponent(from)}`
          : `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
      let response: Response;
      let json: unknown;
      try {
        response = await doFetch(
          `${hubUrl.replace(/\/+$/, '')}${API_PREFIX}/stores/${encodeURIComponent(storeId)}/stats?${query}`,
          {
            headers: { authorization: `Bearer ${token.value}` },
            signal: AbortSignal.timeout(timeoutMs),
          },
        );
        const text = await response.text();
        json = text ? (JSON.parse(text) as unknown) : undefined;
      } catch (error) {
        return err({
          code: 'offline',
          message: error instanceof Error ? error.message : String(error),
        });
      }
      if (!response.ok) {
        const body = errorBody.safeParse(json);
        const message = body.success ? body.data.error.message : `HTTP ${response.status}`;
        if (response.status === 401 || response.status === 403)
          return err({ code: 'forbidden', message });
        // A proxy answering 502/503/504 while the hub is down is an outage, not a hub error.
        if (response.status >= 502 && response.status <= 504)
          return err({ code: 'offline', message });
        return err({ code: 'server', message });
      }
      if (from === to) {
        const parsed = dayStats.safeParse(json);
        return parsed.success
          ? ok(figuresFromDay(parsed.data))
          : err({ code: 'invalid_response', message: parsed.error.message });
      }
      const parsed = rangeStats.safeParse(json);
      return parsed.success
        ? ok(figuresFromRange(parsed.data))
        : err({ code: 'invalid_response', message: parsed.error.message });
    },
  };
}
