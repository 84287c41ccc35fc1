import { z } from 'zod';
import {
  alertNotificationText,
  hubUrl as hubUrlSchema,
  type BridgeError,
  type BridgeResult,
  type DeploymentInfo,
  type ShopGuideBridge,
} from '../../../shared/bridge';
import { err, ok } from '../../../shared/result';
import { generateDataKey } from '../../data/sealed';
import { createSecretDb, type SecretDb } from './secret-db';

/**
 * The bridge for plain browsers (tablets at the counter, end-to-end tests). Same type as the
 * Electron preload, weaker guarantees: secrets sit in IndexedDB (see secret-db.ts), printing is
 * the browser's own dialog, and there is no launch-at-login.
 */

/** What the server that delivers the renderer says about the deployment (same origin). */
const servedConfig = z.object({
  hubUrl: hubUrlSchema.optional(),
  enrolToken: z.string().min(16).max(512).optional(),
});
export const SERVED_CONFIG_PATH = '/shopguide.config.json';

export type BrowserEnvironment = {
  fetch: typeof fetch;
  indexedDB: IDBFactory;
  location: { origin: string };
  hasFocus(): boolean;
  focusWindow(): void;
  Notification: typeof Notification | undefined;
  clipboard: { writeText(text: string): Promise<void> };
  /** the browser's print dialog; the page's print styles show only the receipt */
  print(): void;
  fullscreen: {
    enter(): Promise<void>;
    exit(): Promise<void>;
    active(): boolean;
  };
  version: string;
  userAgent: string;
  warn(message: string): void;
};

const fail = (code: BridgeError['code'], message: string) => err({ code, message });

export function createBrowserBridge(env: BrowserEnvironment): ShopGuideBridge {
  const secrets: SecretDb = createSecretDb(env.indexedDB);
  const listeners = new Set<(alertId: string) => void>();
  let deployment: Promise<DeploymentInfo> | null = null;
  env.warn(
    'ShopGuide browser mode: the terminal token and the key the customer cache is encrypted with ' +
      'are kept in this browser profile (IndexedDB) and are less protected than in the desktop app ' +
      '(anyone with this profile can use them from this origin). Use only on store-controlled devices.',
  );

  const loadDeployment = async (): Promise<DeploymentInfo> => {
    let served: z.infer<typeof servedConfig> = {};
    try {
      const response = await env.fetch(SERVED_CONFIG_PATH, { cache: 'no-store' });
      if (response.ok) served = servedConfig.parse(await response.json());
    } catch {
      // No config served: the hub itself serves the app, so the hub is this origin.
    }
    let enrolled = false;
    if (served.enrolToken !== undefined) {
      if ((await secrets.get('terminalToken')) === null) {
        await secrets.set('terminalToken', served.enrolToken);
      }
      enrolled = true;
    }
    return served.hubUrl !== undefined
      ? { hubUrl: served.hubUrl.replace(/\/+$/, ''), source: 'config-file', enrolled }
      : { hubUrl: env.location.origin, source: 'config-file', enrolled };
  };

  const safely = async <T>(action: () => Promise<T>): Promise<BridgeResult<T>> => {
    try {
      return ok(await action());
    } catch (error) {
      return fail('unavailable', error instanceof Error ? error.message : 'browser storage failed');
    }
  };

  return {
    platform: 'browser',
    appInfo: async () =>
      ok({
        name: 'ShopGuide',
        version: env.version,
        platform: 'browser',
        secretProtection: 'browser-storage',
        os: env.userAgent,
      }),
    deployment: () => safely(() => (deployment ??= loadDeployment())),
    setHubUrl: async () =>
      // The page's CSP (sent by the server that delivers it) fixes the hub; a page cannot widen it.
      fail('unavailable', 'in browser mode the hub is set by the server that delivers the app'),
    getSecret: (name) => safely(() => secrets.get(name)),
    setSecret: (name, value) => safely(async () => (await secrets.set(name, value), null)),
    clearSecrets: () => safely(async () => (await secrets.clear(), null)),
    dataKey: () =>
      safely(async () => ({ kind: 'key' as const, key: await secrets.dataKey(generateDataKey) })),
    notifyAlert: async (notification) => {
      const N = env.Notification;
      if (env.hasFocus() || N === undefined || N.permission !== 'granted') {
        return ok({ shown: false });
      }
      const text = alertNotificationText(notification);
      const toast = new N(text.title, { body: text.body, tag: notification.alertId });
      toast.onclick = () => {
        env.focusWindow();
        for (const listener of listeners) listener(notification.alertId);
        toast.close();
      };
      return ok({ shown: true });
    },
    onAlertFocus: (listener) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    setKiosk: async (on) => {
      try {
        if (on && !env.fullscreen.active()) await env.fullscreen.enter();
        if (!on && env.fullscreen.active()) await env.fullscreen.exit();
      } catch {
        return fail('unavailable', 'the browser refused full screen (it needs a tap first)');
      }
      return ok({ kiosk: env.fullscreen.active() });
    },
    launchAtLogin: async () => ok({ on: false, supported: false }),
    setLaunchAtLogin: async () => ok({ on: false, supported: false }),
    // No silent printing from a web page: the browser's dialog opens on the receipt on screen
    // (orders.css prints only `.receipt`), the receipt passed in is what is already shown.
    printReceipt: async () => {
      try {
        env.print();
        return ok({ silent: false });
      } catch {
        return fail('unavailable', 'the browser refused to print');
      }
    },
    copyText: async (text) => {
      try {
        await env.clipboard.writeText(text);
        return ok(null);
      } catch {
        return fail('unavailable', 'the browser refused the clipboard (it needs a tap first)');
      }
    },
  };
}

/** The real browser environment. */
export function browserEnvironment(version: string): BrowserEnvironment {
  return {
    fetch: (input, init) => fetch(input, init),
    indexedDB,
    location: window.location,
    hasFocus: () => document.hasFocus(),
    focusWindow: () => window.focus(),
    Notification: typeof Notification === 'undefined' ? undefined : Notification,
    clipboard: {
      writeText: (text) =>
        navigator.clipboard
          ? navigator.clipboard.writeText(text)
          : Promise.reject(new Error('no clipboard')),
    },
    print: () => window.print(),
    fullscreen: {
      enter: () => document.documentElement.requestFullscreen(),
      exit: () => document.exitFullscreen(),
      active: () => document.fullscreenElement !== null,
    },
    version,
    userAgent: navigator.userAgent,
    warn: (message) => console.warn(message),
  };
}
