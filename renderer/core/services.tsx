import { createContext, useContext, type ReactNode } from 'react';
import type { ShopGuideBridge } from '../../shared/bridge';
import type { TerminalInfo } from '../../shared/protocol';
import type { TerminalDb } from '../data/database';
import type { SyncEngine } from '../sync/sync-engine';

/**
 * What an enrolled terminal's screens work with. Built once after enrolment (app bootstrap) and
 * handed down by context; component tests build one over fake-indexeddb. Components reach it only
 * through their feature's hooks, never directly (STYLE.md: UI never touches storage).
 */
export type AppServices = {
  bridge: ShopGuideBridge;
  db: TerminalDb;
  engine: SyncEngine;
  terminal: TerminalInfo;
  /** the chain's phone-hash key (from the bridge, never from IndexedDB) */
  phoneHashKey: string;
  /** the clock, so tests can fix it */
  now: () => Date;
};

const ServicesContext = createContext<AppServices | null>(null);

export function ServicesProvider({
  services,
  children,
}: {
  services: AppServices;
  children: ReactNode;
}) {
  return <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>;
}

export function useServices(): AppServices {
  const services = useContext(ServicesContext);
  if (!services)
    throw new Error('useServices outside ServicesProvider: the terminal is not enrolled yet');
  return services;
}
