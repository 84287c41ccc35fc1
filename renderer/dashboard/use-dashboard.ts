import { useCallback, useEffect, useMemo, useState } from 'react';
import { useAppStore } from '../core/store';
import { useServices } from '../core/services';
import { recordAudit } from '../data/audit';
import { useFiguresCache, useStatsSource } from './dashboard-deps';
import type { FetchedFigures } from './figures';
import { comparisonPeriod, periodKey, type Period } from './period';
import type { StatsError } from './stats-client';

export type DashboardData = {
  /** the period's figures: fresh from the hub, or the last fetched ones while offline */
  current: FetchedFigures | null;
  /** the same weekdays a week earlier, for the change on each tile */
  baseline: FetchedFigures | null;
  loading: boolean;
  /** the hub could not be reached on the last attempt */
  offline: boolean;
  /** any other failure (refused, bad answer) */
  error: StatsError | null;
};

/** Today's figures move while the store is open; refetch this often while the screen is shown. */
const REFRESH_MS = 5 * 60_000;

/**
 * The figures for a period and its comparison week. Cached figures show at once (with their
 * "as of"); the hub's answer replaces them and is cached in turn. The hub computes everything —
 * this hook never adds the terminal's own unsynced orders (see useLocalOrders).
 */
export function useDashboard(period: Period): DashboardData & { refresh(): void } {
  const { terminal, now: clock } = useServices();
  const source = useStatsSource();
  const cache = useFiguresCache();
  const storeId = terminal.store.id;
  const key = periodKey(period);
  const previousKey = periodKey(comparisonPeriod(period));
  const [nonce, setNonce] = useState(0);
  const request = `${storeId}|${key}|${nonce}`;
  const [fetched, setFetched] = useState<Fetched | null>(null);

  useEffect(() => {
    let live = true;
    const range = { from: period.from, to: period.to };
    const { from, to } = comparisonPeriod(period);
    const previous = { from, to };
    void Promise.all([
      source.fetchFigures(storeId, range),
      source.fetchFigures(storeId, previous),
    ]).then(([now, before]) => {
      if (!live) return;
      const fetchedAt = clock().toISOString();
      if (now.ok) cache.write(range, { figures: now.value, fetchedAt });
      if (before.ok) cache.write(previous, { figures: before.value, fetchedAt });
      setFetched({
        request,
        key,
        current: now.ok ? { figures: now.value, fetchedAt } : null,
        baseline: before.ok ? { figures: before.value, fetchedAt } : null,
        offline: !now.ok && now.error.code === 'offline',
        error: !now.ok && now.error.code !== 'offline' ? now.error : null,
      });
    });
    return () => {
      live = false;
    };
    // period is described completely by its key, and request includes key and nonce
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [request, source, cache, clock]);

  useEffect(() => {
    const timer = setInterval(() => setNonce((n) => n + 1), REFRESH_MS);
    return () => clearInterval(timer);
  }, [key]);

  // While a fetch is under way, or when it failed, the last figures for this period stay: the
  // ones just fetched, else the cached ones (with their own "as of").
  const samePeriod = fetched?.key === key ? fetched : null;
  const cachedCurrent = useMemo(
    () => cache.read({ from: period.from, to: period.to }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [cache, key, samePeriod],
  );
  const cachedBaseline = useMemo(
    () => cache.read(comparisonPeriod(period)),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [cache, previousKey, samePeriod],
  );
  const refresh = useCallback(() => setNonce((n) => n + 1), []);
  const settled = fetched?.request === request ? fetched : null;
  return {
    current: samePeriod?.current ?? cachedCurrent,
    baseline: samePeriod?.baseline ?? cachedBaseline,
    loading: settled === null,
    offline: settled?.offline ?? false,
    error: settled?.error ?? null,
    refresh,
  };
}

type Fetched = {
  request: string;
  key: string;
  current: FetchedFigures | null;
  baseline: FetchedFigures | null;
  offline: boolean;
  error: StatsError | null;
};

/**
 * Records a CSV export in the audit (figures leave the app in a file: head office sees who
 * exported, when). Best effort: the file is already saved when this runs.
 */
export function useExportAudit(): () => void {
  const { db, now } = useServices();
  const guideId = useAppStore((s) => s.guide?.id ?? null);
  return useCallback(() => {
    void recordAudit(db, { action: 'csv_export', guideId, customerId: null, at: now() }).catch(
      () => undefined,
    );
  }, [db, guideId, now]);
}
