/**
 * Component-test harness for the customer and order screens (not imported by app code): a real
 * TerminalDb over fake-indexeddb, a sync engine on the in-process fake hub, a recording bridge,
 * and a fresh i18n instance, wrapped the way the shell wraps a screen.
 */
import { act, fireEvent, render, type RenderResult } from '@testing-library/react';
import './async-wait';
import type { ReactElement } from 'react';
import { I18nextProvider } from 'react-i18next';
import { vi } from 'vitest';
import type { Receipt, ShopGuideBridge } from '../../shared/bridge';
import { newId } from '../../shared/domain/ids';
import type { CustomerProfile, ProductItem } from '../../shared/protocol';
import { err, ok } from '../../shared/result';
import { ServicesProvider, type AppServices } from '../core/services';
import { useAppStore } from '../core/store';
import { applyProductItems } from '../data/catalog';
import { applyCustomerItems, customerPageTables } from '../data/customers';
import type { TerminalDb } from '../data/database';
import { memorySecretStore } from '../data/secret-store';
import { freshDb, makeTerminalInfo, TEST_PHONE_KEY } from '../data/testing';
import { createAppI18n } from '../app/locales';
import type { Language } from '../i18n/i18n';
import { FakeHub } from './fake-hub';
import { SyncEngine } from '../sync/sync-engine';

const initialStore = useAppStore.getState();

export type RecordingBridge = ShopGuideBridge & {
  printed: Receipt[];
  failPrint: boolean;
  /** what the screens put on the clipboard (outreach messages) */
  copied: string[];
};

function recordingBridge(): RecordingBridge {
  const notImplemented = () =>
    Promise.resolve(err({ code: 'unavailable' as const, message: 'test' }));
  const bridge: RecordingBridge = {
    platform: 'browser',
    printed: [],
    failPrint: false,
    copied: [],
    appInfo: notImplemented,
    deployment: notImplemented,
    setHubUrl: notImplemented,
    getSecret: notImplemented,
    setSecret: notImplemented,
    clearSecrets: notImplemented,
    dataKey: notImplemented,
    notifyAlert: () => Promise.resolve(ok({ shown: false })),
    onAlertFocus: () => () => undefined,
    setKiosk: notImplemented,
    launchAtLogin: notImplemented,
    setLaunchAtLogin: notImplemented,
    printReceipt: (receipt) => {
      if (bridge.failPrint)
        return Promise.resolve(err({ code: 'unavailable' as const, message: '打印机未连接' }));
      bridge.printed.push(receipt);
      return Promise.resolve(ok({ silent: false }));
    },
    copyText: (text) => {
      bridge.copied.push(text);
      return Promise.resolve(ok(null));
    },
  };
  return bridge;
}

export type Harness = {
  db: TerminalDb;
  hub: FakeHub;
  engine: SyncEngine;
  bridge: RecordingBridge;
  services: AppServices;
  storeId: string;
  guide: { id: string; name: string };
  /** renders a screen inside the providers the shell gives it */
  show(ui: ReactElement, language?: Language): RenderResult;
  setOnline(online: boolean): void;
  /** puts hub profiles into the local cache, as a customer feed pull would */
  seedCustomers(profiles: CustomerProfile[]): Promise<void>;
  seedProducts(products: ProductItem[]): Promise<void>;
};

/** A fresh terminal per test; the app store is reset and a guide is signed in. */
export function createHarness(
  options: { signedIn?: boolean; now?: Date; online?: boolean } = {},
): Harness {
  const terminalId = newId();
  const storeId = newId();
  const db = freshDb(terminalId);
  const hub = new FakeHub(TEST_PHONE_KEY);
  const secrets = memorySecretStore({ token: 'tok', phoneHashKey: TEST_PHONE_KEY });
  // One clock for the screens and the engine: the engine prunes by it, so a harness on the real
  // date would drop a fixed-date test's records once they pass the retention window.
  const now = options.now ?? new Date('2026-11-02T10:05:00.000Z');
  const engine = new SyncEngine({
    db,
    hub: hub.client(),
    secrets,
    now: () => now,
    autoRetry: false,
  });
  const bridge = recordingBridge();
  const terminal = makeTerminalInfo({ terminalId, storeId, now });
  const services: AppServices = {
    bridge,
    db,
    engine,
    terminal,
    phoneHashKey: TEST_PHONE_KEY,
    now: () => now,
  };
  const guide = { id: newId(), name: '李娜' };
  useAppStore.setState(initialStore, true);
  if (options.signedIn !== false) useAppStore.getState().signIn({ ...guide, role: 'guide' });
  engine.status.update({ online: options.online ?? true });
  return {
    db,
    hub,
    engine,
    bridge,
    services,
    storeId,
    guide,
    show: (ui, language = 'zh-CN') =>
      render(
        <I18nextProvider i18n={createAppI18n(language)}>
          <ServicesProvider services={services}>{ui}</ServicesProvider>
        </I18nextProvider>,
      ),
    setOnline: (online) => engine.status.update({ online }),
    seedCustomers: (profiles) =>
      db.transaction('rw', customerPageTables(db), () => applyCustomerItems(db, profiles)),
    seedProducts: (products) =>
      db.transaction('rw', db.products, () => applyProductItems(db, products)),
  };
}

/**
 * A keyboard-wedge scanner: a burst of keys 5 ms apart, ending in Enter. The scanner tells a scan
 * from typing by the gaps on `performance.now()`; the burst runs on a stepped fake of that clock,
 * so a busy test machine (React renders between keys) cannot turn a scan into "typing".
 */
export function scanBurst(code: string): void {
  let at = performance.now();
  const clock = vi.spyOn(performance, 'now').mockImplementation(() => (at += 5));
  try {
    act(() => {
      for (const key of [...code, 'Enter']) fireEvent.keyDown(window, { key });
    });
  } finally {
    clock.mockRestore();
  }
}
