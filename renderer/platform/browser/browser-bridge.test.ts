import { IDBFactory } from 'fake-indexeddb';
import type { Receipt } from '../../../shared/bridge';
import { createBrowserBridge, type BrowserEnvironment } from './browser-bridge';
import { selectBridge } from '../select-bridge';
import { aadFor, singleKeySealer } from '../../data/sealed';

const ALERT_ID = '0193a6c2-7d3e-7c4b-9f00-0123456789ab';
const TOKEN = 'tok_0123456789abcdef0123';

class FakeNotification {
  static permission: NotificationPermission = 'granted';
  static shown: FakeNotification[] = [];
  onclick: (() => void) | null = null;
  constructor(
    readonly title: string,
    readonly options: NotificationOptions,
  ) {
    FakeNotification.shown.push(this);
  }
  close(): void {}
}

function environment(overrides: Partial<BrowserEnvironment> = {}) {
  const warnings: string[] = [];
  const copied: string[] = [];
  let printed = 0;
  let focused = true;
  let fullscreen = false;
  const env: BrowserEnvironment = {
    fetch: async () =>
      new Response(JSON.stringify({ hubUrl: 'http://10.0.0.5:4600/', enrolToken: TOKEN })),
    indexedDB: new IDBFactory(),
    location: { origin: 'http://127.0.0.1:5173' },
    hasFocus: () => focused,
    focusWindow: () => {
      focused = true;
    },
    Notification: FakeNotification as unknown as typeof Notification,
    clipboard: { writeText: async (text) => void copied.push(text) },
    print: () => void (printed += 1),
    fullscreen: {
      enter: async () => {
        fullscreen = true;
      },
      exit: async () => {
        fullscreen = false;
      },
      active: () => fullscreen,
    },
    version: '0.1.0',
    userAgent: 'test',
    warn: (m) => warnings.push(m),
    ...overrides,
  };
  return { env, warnings, copied, printed: () => printed, blur: () => (focused = false) };
}

describe('browser bridge', () => {
  beforeEach(() => {
    FakeNotification.shown = [];
  });

  it('warns that browser mode protects the token less, and says so in app info', async () => {
    const { env, warnings } = environment();
    const bridge = createBrowserBridge(env);
    expect(warnings.join()).toMatch(/less protected/);
    expect(await bridge.appInfo()).toMatchObject({
      ok: true,
      value: { platform: 'browser', secretProtection: 'browser-storage' },
    });
  });

  it('takes the hub and enrolment token from the served config', async () => {
    const bridge = createBrowserBridge(environment().env);
    expect(await bridge.deployment()).toEqual({
      ok: true,
      value: { hubUrl: 'http://10.0.0.5:4600', source: 'config-file', enrolled: true },
    });
    expect(await bridge.getSecret('terminalToken')).toEqual({ ok: true, value: TOKEN });
  });

  it('uses its own origin as the hub when the hub serves the app', async () => {
    const bridge = createBrowserBridge(
      environment({ fetch: async () => new Response('not found', { status: 404 }) }).env,
    );
    expect(await bridge.deployment()).toMatchObject({
      ok: true,
      value: { hubUrl: 'http://127.0.0.1:5173', enrolled: false },
    });
  });

  it('keeps secrets across page loads and wipes them on request', async () => {
    const { env } = environment();
    const first = createBrowserBridge(env);
    await first.setSecret('phoneHashKey', 'abcdef');
    const second = createBrowserBridge(env); // a reload: same IndexedDB
    expect(await second.getSecret('phoneHashKey')).toEqual({ ok: true, value: 'abcdef' });
    await second.clearSecrets();
    expect(await second.getSecret('phoneHashKey')).toEqual({ ok: true, value: null });
  });

  it('keeps one non-extractable data key across page loads and erases it with the secrets', async () => {
    const { env } = environment();
    const first = createBrowserBridge(env);
    const made = await first.dataKey();
    if (!made.ok || made.value.kind !== 'key') throw new Error('no data key');
    expect(made.value.key.extractable).toBe(false);
    const sealer = singleKeySealer(made.value.key);
    const sealed = await sealer.seal({ notes: 'x' }, aadFor('t', 1));
    const second = createBrowserBridge(env); // a reload: the same key opens what the first sealed
    const again = await second.dataKey();
    if (!again.ok || again.value.kind !== 'key') throw new Error('no data key');
    expect(await singleKeySealer(again.value.key).open(sealed, aadFor('t', 1))).toEqual({
      notes: 'x',
    });
    await second.clearSecrets();
    const fresh = await createBrowserBridge(env).dataKey();
    if (!fresh.ok || fresh.value.kind !== 'key') throw new Error('no data key');
    await expect(
      singleKeySealer(fresh.value.key).open(sealed, aadFor('t', 1)),
    ).rejects.toMatchObject({ code: 'tampered' });
  });

  it('notifies only when the page is in the background, without PII, and focuses on click', async () => {
    const fake = environment();
    const bridge = createBrowserBridge(fake.env);
    expect(await bridge.notifyAlert({ alertId: ALERT_ID, tier: 'platinum' })).toEqual({
      ok: true,
      value: { shown: false },
    });
    fake.blur();
    const focused: string[] = [];
    const off = bridge.onAlertFocus((id) => focused.push(id));
    expect(await bridge.notifyAlert({ alertId: ALERT_ID, tier: 'platinum' })).toEqual({
      ok: true,
      value: { shown: true },
    });
    const toast = FakeNotification.shown[0]!;
    expect(toast.title).toBe('会员到店 · 白金卡');
    expect(toast.options.body).toBe('点击查看顾客卡片');
    toast.onclick!();
    expect(focused).toEqual([ALERT_ID]);
    off();
  });

  it('answers unavailable for what only the desktop app can do', async () => {
    const bridge = createBrowserBridge(environment().env);
    expect(await bridge.setHubUrl('http://x:1')).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
    expect(await bridge.launchAtLogin()).toEqual({
      ok: true,
      value: { on: false, supported: false },
    });
    expect(await bridge.setKiosk(true)).toEqual({ ok: true, value: { kiosk: true } });
  });

  it("prints a receipt through the browser's dialog, and says unavailable when the browser refuses", async () => {
    const { env, printed } = environment();
    const receipt: Receipt = {
      orderId: '0b9d6f3e-8c1a-4f3e-9a1b-2c3d4e5f6a7b',
      storeName: '上海静安店',
      guideName: null,
      at: '2026-12-04T08:00:00.000Z',
      timezone: 'Asia/Shanghai',
      lines: [
        { name: '棉T恤', sku: 'TEE-S', size: 'S', quantity: 1, unitPrice: 9_990, discount: 0 },
      ],
      total: 9_990,
    };
    expect(await createBrowserBridge(env).printReceipt(receipt)).toEqual({
      ok: true,
      value: { silent: false },
    });
    expect(printed()).toBe(1);
    const refusing = environment({
      print: () => {
        throw new Error('blocked');
      },
    }).env;
    expect(await createBrowserBridge(refusing).printReceipt(receipt)).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
  });

  it('copies text through the browser clipboard, and says unavailable when the browser refuses', async () => {
    const { env, copied } = environment();
    const bridge = createBrowserBridge(env);
    expect(await bridge.copyText('您好，王女士')).toEqual({ ok: true, value: null });
    expect(copied).toEqual(['您好，王女士']);
    const refusing = createBrowserBridge({
      ...env,
      clipboard: { writeText: () => Promise.reject(new Error('NotAllowedError')) },
    });
    expect(await refusing.copyText('x')).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
  });

  it('prefers the Electron bridge when the preload exposed one', () => {
    const electron = { platform: 'electron' } as never;
    const browser = createBrowserBridge(environment().env);
    expect(selectBridge({ shopguide: electron }, () => browser)).toBe(electron);
    expect(selectBridge({}, () => browser)).toBe(browser);
    expect(selectBridge({ shopguide: { platform: 'evil' } }, () => browser)).toBe(browser);
  });
});
