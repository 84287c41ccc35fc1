/**
 * Component-test helpers for the shell's screens (not imported by app code): real TerminalDb over
 * fake-indexeddb, the real SyncEngine over the in-process FakeHub, a recording bridge, a settable
 * clock, and the i18n + services providers.
 */
import { render } from '@testing-library/react';
import './async-wait';
import type { ReactNode } from 'react';
import { I18nextProvider } from 'react-i18next';
import type { AlertNotification, ShopGuideBridge } from '../../shared/bridge';
import type { ClaimAck, TerminalInfo } from '../../shared/protocol';
import { newId } from '../../shared/domain/ids';
import { ok, type Result } from '../../shared/result';
import { memorySecretStore } from '../data/secret-store';
import { freshDb, makeGuide, TEST_PHONE_KEY, testPinHash } from '../data/testing';
import { generateDataKey } from '../data/sealed';
import { createAppI18n } from '../app/locales';
import type { Language } from '../i18n/i18n';
import { FakeHub } from './fake-hub';
import type { HubError, LiveEvents } from '../sync/hub-client';
import { SyncEngine } from '../sync/sync-engine';
import { EMPTY_DRAFT } from '../core/order-slice';
import { ServicesProvider, type AppServices } from '../core/services';
import { useAppStore } from '../core/store';

export type RecordingBridge = ShopGuideBridge & { notified: AlertNotification[] };

export function recordingBridge(): RecordingBridge {
  const secrets = new Map<string, string>();
  const notified: AlertNotification[] = [];
  let dataKey: Promise<CryptoKey> | null = null;
  const fail = () =>
    Promise.resolve({
      ok: false as const,
      error: { code: 'unavailable' as const, message: 'n/a' },
    });
  return {
    platform: 'browser',
    notified,
    appInfo: () =>
      Promise.resolve(
        ok({
          name: 'ShopGuide',
          version: 'test',
          platform: 'browser' as const,
          secretProtection: 'browser-storage' as const,
          os: 'test',
        }),
      ),
    deployment: () =>
      Promise.resolve(
        ok({ hubUrl: 'http://127.0.0.1:1', source: 'config-file' as const, enrolled: false }),
      ),
    setHubUrl: fail,
    getSecret: (name) => Promise.resolve(ok(secrets.get(name) ?? null)),
    setSecret: (name, value) => {
      secrets.set(name, value);
      return Promise.resolve(ok(null));
    },
    clearSecrets: () => {
      secrets.clear();
      dataKey = null;
      return Promise.resolve(ok(null));
    },
    dataKey: async () => ok({ kind: 'key' as const, key: await (dataKey ??= generateDataKey()) }),
    notifyAlert: (n) => {
      notified.push(n);
      return Promise.resolve(ok({ shown: true }));
    },
    onAlertFocus: () => () => undefined,
    setKiosk: () => Promise.resolve(ok({ kiosk: false })),
    launchAtLogin: () => Promise.resolve(ok({ on: false, supported: false })),
    setLaunchAtLogin: () => Promise.resolve(ok({ on: false, supported: false })),
    printReceipt: fail,
    copyText: fail,
  };
}

export function terminalInfoFor(storeId: string): TerminalInfo {
  return {
    terminalId: newId(),
    name: 'Counter 1',
    store: {
      id: storeId,
      name: '上海静安店',
      timezone: 'Asia/Shanghai',
      lat: 31.2,
      lng: 121.4,
      geofenceRadiusM: 300,
    },
    phoneHashKey: TEST_PHONE_KEY,
    settings: {
      alertExpiryMinutes: 30,
      presenceSilenceMinutes: 20,
      visitWindowMinutes: 240,
      autoLockMinutes: 5,
      currency: 'CNY',
      locale: 'zh-CN',
    },
    serverTime: new Date().toISOString(),
  };
}

export type Harness = {
  services: AppServices;
  hub: FakeHub;
  bridge: RecordingBridge;
  clock: { now: Date };
  /** the live channel the engine opened (push hub events through it) */
  live(): LiveEvents;
  /** how the hub answers the next claims */
  claimAnswers: Result<ClaimAck, HubError>[];
  storeId: string;
};

/** Builds services; `start` runs the engine's first sync against the fake hub. */
export async function makeHarness(
  options: {
    start?: boolean;
    now?: Date;
    guides?: { name: string; pin: string; role?: 'guide' | 'manager' }[];
  } = {},
): Promise<Harness> {
  const storeId = newId();
  const hub = new FakeHub(TEST_PHONE_KEY);
  for (const g of options.guides ?? [])
    hub.staff.push(
      makeGuide({
        storeId,
        name: g.name,
        role: g.role ?? 'guide',
        pinHash: await testPinHash(g.pin),
      }),
    );
  const clock = { now: options.now ?? new Date('2026-11-02T10:05:00.000Z') };
  const db = freshDb();
  const bridge = recordingBridge();
  const secrets = memorySecretStore({ token: 'token', phoneHashKey: TEST_PHONE_KEY });
  const base = hub.client();
  let live: LiveEvents | null = null;
  const claimAnswers: Result<ClaimAck, HubError>[] = [];
  const client = {
    ...base,
    connectLive: (events: LiveEvents) => {
      live = events;
      const connection = base.connectLive(events);
      return {
        ...connection,
        claimAlert: () => Promise.resolve(claimAnswers.shift() ?? ok({ ok: true as const })),
      };
    },
  };
  const now = () => clock.now;
  hub.now = () => clock.now.getTime();
  const engine = new SyncEngine({ db, hub: client, secrets, now, autoRetry: false });
  const services: AppServices = {
    bridge,
    db,
    engine,
    terminal: terminalInfoFor(storeId),
    phoneHashKey: TEST_PHONE_KEY,
    now,
  };
  if (options.start) {
    await engine.start();
    await engine.settled();
  }
  return {
    services,
    hub,
    bridge,
    clock,
    storeId,
    claimAnswers,
    live: () => {
      if (!live) throw new Error('engine not started');
      return live;
    },
  };
}

export function resetAppStore(): void {
  useAppStore.setState({
    guide: null,
    screen: { name: 'arrivals' },
    history: [],
    orderDraft: EMPTY_DRAFT,
    parkedDrafts: {},
  });
}

export function renderWith(services: AppServices, ui: ReactNode, language: Language = 'zh-CN') {
  const i18n = createAppI18n(language);
  return render(
    <I18nextProvider i18n={i18n}>
      <ServicesProvider services={services}>{ui}</ServicesProvider>
    </I18nextProvider>,
  );
}
