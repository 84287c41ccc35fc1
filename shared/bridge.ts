import { z } from 'zod';
import { tier, uuid } from './protocol';
import type { Result } from './result';

/**
 * The platform bridge: everything the renderer needs from the machine it runs on (secure storage,
 * OS notifications, printing, window mode), declared once. The Electron preload implements it
 * with `contextBridge` and the browser fallback (`renderer/platform/browser`) implements the same
 * type, so the renderer never knows which one it has. This file stays pure: no Electron, no DOM.
 */

/** IPC channels the main process answers: an allow-list, never free strings. */
export const BridgeChannels = {
  appInfo: 'app:info',
  deploymentGet: 'deployment:get',
  deploymentSetHubUrl: 'deployment:set-hub-url',
  secretGet: 'secret:get',
  secretSet: 'secret:set',
  secretsClear: 'secret:clear-all',
  dataKeyGet: 'data-key:get',
  notifyAlert: 'notify:alert',
  kioskSet: 'window:set-kiosk',
  launchAtLoginGet: 'app:launch-at-login:get',
  launchAtLoginSet: 'app:launch-at-login:set',
  printReceipt: 'print:receipt',
  clipboardWrite: 'clipboard:write-text',
} as const;
export type BridgeChannel = (typeof BridgeChannels)[keyof typeof BridgeChannels];
export const bridgeChannelList: readonly BridgeChannel[] = Object.values(BridgeChannels);

/** Events the main process pushes to the renderer (also an allow-list). */
export const BridgeEvents = {
  /** the guide clicked an OS notification: show that alert */
  alertFocus: 'alert:focus',
} as const;
export type BridgeEvent = (typeof BridgeEvents)[keyof typeof BridgeEvents];

/** Error codes a bridge call can answer with. */
export const bridgeErrorCode = z.enum([
  'invalid_input',
  'forbidden',
  'unavailable',
  'not_found',
  'internal',
]);
export type BridgeErrorCode = z.infer<typeof bridgeErrorCode>;
export type BridgeError = { code: BridgeErrorCode; message: string };
export type BridgeResult<T> = Result<T, BridgeError>;

/** Only these secrets exist; the names are fixed so a compromised page cannot probe others. */
export const secretName = z.enum(['terminalToken', 'phoneHashKey']);
export type SecretName = z.infer<typeof secretName>;

/** A hub base URL: http(s) only, no credentials, query or fragment (they would leak or confuse). */
export const hubUrl = z
  .string()
  .trim()
  .max(2048)
  .refine(
    (value) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        return false;
      }
      return (
        (url.protocol === 'http:' || url.protocol === 'https:') &&
        url.username === '' &&
        url.password === '' &&
        url.search === '' &&
        url.hash === ''
      );
    },
    { message: 'hub URL must be an http(s) URL without credentials, query or fragment' },
  );

/**
 * Notification arguments carry no customer PII by construction: only the alert id (to focus it on
 * click) and the member tier. The text is composed on the platform side from these two fields.
 */
export const alertNotification = z.strictObject({ alertId: uuid, tier });
export type AlertNotification = z.infer<typeof alertNotification>;

const receiptLine = z.strictObject({
  name: z.string().trim().min(1).max(120),
  sku: z.string().trim().min(1).max(64),
  size: z.string().trim().max(16).nullable(),
  /** printed with the size ("雾霾蓝 · XL"); optional so a caller that does not know it leaves it out */
  colour: z.string().trim().max(32).nullable().optional(),
  quantity: z.number().int().min(1).max(999),
  /** unit price in fen */
  unitPrice: z.number().int().min(0).max(100_000_000),
  /** discount on the whole line in fen, so the printed lines add up to the total */
  discount: z.number().int().min(0).max(100_000_000),
});

/** What a printed receipt shows: the order, not the customer (no name or phone on paper). */
export const receipt = z.strictObject({
  orderId: uuid,
  storeName: z.string().trim().min(1).max(120),
  guideName: z.string().trim().max(60).nullable(),
  /** ISO-8601 UTC */
  at: z.iso.datetime({ offset: true }),
  /** IANA time zone the time is shown in (the store's) */
  timezone: z.string().min(1).max(64),
  lines: z.array(receiptLine).min(1).max(200),
  /** total in fen (discounts already applied) */
  total: z.number().int().min(0).max(10_000_000_000),
});
export type Receipt = z.infer<typeof receipt>;

/**
 * Argument schema per channel. Every call carries exactly one argument (`undefined` when there is
 * nothing to say) so the registrar can validate uniformly.
 */
export const bridgeArgs = {
  [BridgeChannels.appInfo]: z.undefined(),
  [BridgeChannels.deploymentGet]: z.undefined(),
  [BridgeChannels.deploymentSetHubUrl]: z.strictObject({ hubUrl }),
  [BridgeChannels.secretGet]: z.strictObject({ name: secretName }),
  [BridgeChannels.secretSet]: z.strictObject({
    name: secretName,
    value: z.string().min(1).max(4096),
  }),
  [BridgeChannels.secretsClear]: z.undefined(),
  [BridgeChannels.dataKeyGet]: z.undefined(),
  [BridgeChannels.notifyAlert]: alertNotification,
  [BridgeChannels.kioskSet]: z.strictObject({ on: z.boolean() }),
  [BridgeChannels.launchAtLoginGet]: z.undefined(),
  [BridgeChannels.launchAtLoginSet]: z.strictObject({ on: z.boolean() }),
  [BridgeChannels.printReceipt]: receipt,
  // an outreach message (#15 item 4): a greeting and a few items with prices and links
  [BridgeChannels.clipboardWrite]: z.strictObject({ text: z.string().min(1).max(8192) }),
} as const satisfies Record<BridgeChannel, z.ZodType>;
export type BridgeArgs<C extends BridgeChannel> = z.infer<(typeof bridgeArgs)[C]>;

export type AppInfo = {
  name: string;
  version: string;
  platform: 'electron' | 'browser';
  /** how the terminal token is protected at rest, shown on the settings screen */
  secretProtection: 'os-keychain' | 'browser-storage';
  os: string;
};

export type DeploymentInfo = {
  /** null until the first-run screen (or IT's config file) sets it */
  hubUrl: string | null;
  /** where the hub URL came from */
  source: 'command-line' | 'config-file' | 'first-run' | 'none';
  /** true when IT pre-seeded an enrolment token that is now in secure storage */
  enrolled: boolean;
};

/** Values each channel answers with. */
export type BridgeValues = {
  'app:info': AppInfo;
  'deployment:get': DeploymentInfo;
  'deployment:set-hub-url': DeploymentInfo;
  'secret:get': string | null;
  'secret:set': null;
  'secret:clear-all': null;
  /** base64 of the 32-byte data key (the renderer imports it non-extractable at once) */
  'data-key:get': string;
  'notify:alert': { shown: boolean };
  'window:set-kiosk': { kiosk: boolean };
  'app:launch-at-login:get': { on: boolean; supported: boolean };
  'app:launch-at-login:set': { on: boolean; supported: boolean };
  'print:receipt': { silent: boolean };
  'clipboard:write-text': null;
};

/** The bridge the renderer sees (`window.shopguide` in Electron). */
export type ShopGuideBridge = {
  readonly platform: 'electron' | 'browser';
  appInfo(): Promise<BridgeResult<AppInfo>>;
  deployment(): Promise<BridgeResult<DeploymentInfo>>;
  /** first-run: the platform checks the hub answers before saving, then restarts the app view */
  setHubUrl(hubUrl: string): Promise<BridgeResult<DeploymentInfo>>;
  getSecret(name: SecretName): Promise<BridgeResult<string | null>>;
  setSecret(name: SecretName, value: string): Promise<BridgeResult<null>>;
  /**
   * wipe: the store PC was handed over, stolen, or the terminal was revoked. Also erases the data
   * key, so whatever is left of the sealed cache on disk can no longer be opened.
   */
  clearSecrets(): Promise<BridgeResult<null>>;
  /**
   * The key the terminal's database is sealed with (AES-256-GCM, renderer/data/sealed.ts), made on
   * first use. Electron: raw bytes (base64) from OS-protected storage, `unavailable` when the OS
   * cannot protect them; browser mode: a non-extractable CryptoKey kept in the browser profile.
   */
  dataKey(): Promise<BridgeResult<DataKeyMaterial>>;
  /** an OS notification for a new arrival alert; shown only when the app is not focused */
  notifyAlert(notification: AlertNotification): Promise<BridgeResult<{ shown: boolean }>>;
  /** subscribe to notification clicks; returns an unsubscribe function */
  onAlertFocus(listener: (alertId: string) => void): () => void;
  setKiosk(on: boolean): Promise<BridgeResult<{ kiosk: boolean }>>;
  launchAtLogin(): Promise<BridgeResult<{ on: boolean; supported: boolean }>>;
  setLaunchAtLogin(on: boolean): Promise<BridgeResult<{ on: boolean; supported: boolean }>>;
  printReceipt(receipt: Receipt): Promise<BridgeResult<{ silent: boolean }>>;
  /** puts text on the system clipboard (an outreach message the guide pastes into WeChat) */
  copyText(text: string): Promise<BridgeResult<null>>;
};

/** What `dataKey()` hands over: raw bytes to import (desktop), or the key itself (browser). */
export type DataKeyMaterial = { kind: 'raw'; base64: string } | { kind: 'key'; key: CryptoKey };

/** The global name the preload exposes the bridge under. */
export const BRIDGE_GLOBAL = 'shopguide';

/** The label of a member tier as a guide reads it. */
export const tierLabels: Record<z.infer<typeof tier>, string> = {
  regular: '普通会员',
  silver: '银卡',
  gold: '金卡',
  platinum: '白金卡',
  diamond: '钻石卡',
};

/**
 * The text of an arrival notification. OS notifications show on a screen customers can see and
 * are kept by the OS notification centre, so they never carry a name or phone number.
 */
export function alertNotificationText(notification: AlertNotification): {
  title: string;
  body: string;
} {
  return { title: `会员到店 · ${tierLabels[notification.tier]}`, body: '点击查看顾客卡片' };
}
