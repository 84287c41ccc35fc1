import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { useServices } from '../core/services';
import { figuresCache, type FiguresCache } from './stats-cache';
import { hubStatsSource, type StatsSource } from './stats-client';

type DashboardDeps = { source?: StatsSource; storage?: Storage };

const DashboardDepsContext = createContext<DashboardDeps>({});

/**
 * Lets a component test (or a screenshot harness) hand the dashboard a stand-in for the hub and
 * its own storage. The app does not use it: the dashboard then talks to the hub through the
 * platform bridge and keeps its cache in localStorage.
 */
export function DashboardDepsProvider({
  children,
  ...deps
}: DashboardDeps & { children: ReactNode }) {
  return <DashboardDepsContext.Provider value={deps}>{children}</DashboardDepsContext.Provider>;
}

export function useStatsSource(): StatsSource {
  const { source } = useContext(DashboardDepsContext);
  const { bridge } = useServices();
  return useMemo(() => source ?? hubStatsSource({ bridge }), [source, bridge]);
}

export function useFiguresCache(): FiguresCache {
  const { storage } = useContext(DashboardDepsContext);
  const { terminal } = useServices();
  return useMemo(
    () =>
      figuresCache(storage ?? globalThis.localStorage, {
        terminalId: terminal.terminalId,
        storeId: terminal.store.id,
      }),
    [storage, terminal.terminalId, terminal.store.id],
  );
}
