/**
 * Component-test harness for the dashboard (not imported by app code): a real TerminalDb over
 * fake-indexeddb, a stats stand-in for the hub, its own storage, and a fresh i18n instance,
 * wrapped the way the shell wraps a screen (the session's step-up as the manager gate).
 */
import { render, type RenderResult } from '@testing-library/react';
import './async-wait';
import type { ReactElement, ReactNode } from 'react';
import { I18nextProvider } from 'react-i18next';
import type { ShopGuideBridge } from '../../shared/bridge';
import { newId } from '../../shared/domain/ids';
import { err } from '../../shared/result';
import { ServicesProvider, type AppServices } from '../core/services';
import { useAppStore } from '../core/store';
import type { TerminalDb } from '../data/database';
import { memorySecretStore } from '../data/secret-store';
import { freshDb, makeTerminalInfo, TEST_PHONE_KEY } from '../data/testing';
import { createAppI18n } from '../app/locales';
import type { Language } from '../i18n/i18n';
import { FakeHub } from './fake-hub';
import { SyncEngine } from '../sync/sync-engine';
import { ManagerGateProvider } from '../core/manager-gate';
import { ManagerStepUp } from '../session/manager-step-up';
import { DashboardDepsProvider } from '../dashboard/dashboard-deps';
import { FakeStatsSource, FIXTURE_STORE, FIXTURE_TZ } from '../dashboard/dashboard-fixtures';
import { memoryStorage } from './memory-storage';

const managerStepUp = (children: ReactNode) => <ManagerStepUp>{children}</ManagerStepUp>;

const initialStore = useAppStore.getState();

const unavailable = () => Promise.resolve(err({ code: 'unavailable' as const, message: 'test' }));
const bridge: ShopGuideBridge = {
  platform: 'browser',
  appInfo: unavailable,
  deployment: unavailable,
  setHubUrl: unavailable,
  getSecret: unavailable,
  setSecret: unavailable,
  clearSecrets: unavailable,
  dataKey: unavailable,
  notifyAlert: unavailable,
  onAlertFocus: () => () => undefined,
  setKiosk: unavailable,
  launchAtLogin: unavailable,
  setLaunchAtLogin: unavailable,
  printReceipt: unavailable,
  copyText: unavailable,
};

export type DashboardHarness = {
  db: TerminalDb;
  source: FakeStatsSource;
  storage: Storage;
  services: AppServices;
  show(ui: ReactElement, language?: Language): RenderResult;
};

export function createDashboardHarness(
  options: { role?: 'manager' | 'guide' | null; now?: Date; storage?: Storage } = {},
): DashboardHarness {
  const terminalId = newId();
  const db = freshDb(terminalId);
  const hub = new FakeHub(TEST_PHONE_KEY);
  const secrets = memorySecretStore({ token: 'tok', phoneHashKey: TEST_PHONE_KEY });
  const now = options.now ?? new Date('2026-11-20T06:30:00.000Z'); // 14:30 in Shanghai, a Friday
  // the engine prunes by its clock: the same one as the screens (see screen-testing.tsx)
  const engine = new SyncEngine({
    db,
    hub: hub.client(),
    secrets,
    now: () => now,
    autoRetry: false,
  });
  const terminal = makeTerminalInfo({
    terminalId,
    storeId: FIXTURE_STORE,
    timezone: FIXTURE_TZ,
    now,
  });
  const services: AppServices = {
    bridge,
    db,
    engine,
    terminal,
    phoneHashKey: TEST_PHONE_KEY,
    now: () => now,
  };
  useAppStore.setState(initialStore, true);
  const role = options.role === undefined ? 'manager' : options.role;
  if (role !== null) useAppStore.getState().signIn({ id: newId(), name: '周店长', role }, now);
  const source = new FakeStatsSource();
  const storage = options.storage ?? memoryStorage();
  return {
    db,
    source,
    storage,
    services,
    show: (ui, language = 'zh-CN') =>
      render(
        <I18nextProvider i18n={createAppI18n(language)}>
          <ServicesProvider services={services}>
            <ManagerGateProvider gate={managerStepUp}>
              <DashboardDepsProvider source={source} storage={storage}>
                {ui}
              </DashboardDepsProvider>
            </ManagerGateProvider>
          </ServicesProvider>
        </I18nextProvider>,
      ),
  };
}
