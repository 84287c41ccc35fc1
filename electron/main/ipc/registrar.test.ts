import {
  bridgeChannelList,
  type BridgeArgs,
  type BridgeChannel,
  type BridgeValues,
} from '../../../shared/bridge';
import { APP_ORIGIN } from '../security/origins';
import { createHandlers, type MainServices } from './handlers';
import { BridgeFailure, createDispatcher } from './registrar';

const ALERT_ID = '0193a6c2-7d3e-7c4b-9f00-0123456789ab';

/** One valid call per channel; the mapped type makes a forgotten channel a compile error. */
const validArgs: { [C in BridgeChannel]: BridgeArgs<C> } = {
  'app:info': undefined,
  'deployment:get': undefined,
  'deployment:set-hub-url': { hubUrl: 'http://hub.local:4600' },
  'secret:get': { name: 'terminalToken' },
  'secret:set': { name: 'phoneHashKey', value: 'abcdef' },
  'secret:clear-all': undefined,
  'data-key:get': undefined,
  'notify:alert': { alertId: ALERT_ID, tier: 'gold' },
  'window:set-kiosk': { on: true },
  'app:launch-at-login:get': undefined,
  'app:launch-at-login:set': { on: true },
  'print:receipt': {
    orderId: ALERT_ID,
    storeName: 'Store',
    guideName: null,
    at: '2026-11-22T06:05:00Z',
    timezone: 'Asia/Shanghai',
    lines: [{ name: 'Coat', sku: 'C1', size: null, quantity: 1, unitPrice: 100, discount: 0 }],
    total: 100,
  },
  'clipboard:write-text': { text: '您好，新到的两款…' },
};

function fakeServices() {
  const calls: string[] = [];
  const notifications: { title: string; body: string; alertId: string }[] = [];
  let focused = false;
  const record =
    <T>(name: string, value: T) =>
    (): T => {
      calls.push(name);
      return value;
    };
  const deployment = {
    hubUrl: 'http://hub.local:4600',
    source: 'first-run',
    enrolled: false,
  } as const;
  const services: MainServices = {
    appInfo: record('appInfo', {
      name: 'ShopGuide',
      version: '0.1.0',
      platform: 'electron',
      secretProtection: 'os-keychain',
      os: 'linux',
    }),
    deployment: record('deployment', deployment),
    setHubUrl: async () => record('setHubUrl', deployment)(),
    secrets: {
      get: async () => record('secrets.get', 'tok')(),
      set: async () => record('secrets.set', undefined)(),
      clear: async () => record('secrets.clear', undefined)(),
    },
    dataKey: {
      get: async () => record('dataKey.get', Buffer.alloc(32, 7).toString('base64'))(),
      erase: async () => record('dataKey.erase', undefined)(),
    },
    windowFocused: () => focused,
    showNotification: (text, alertId) => {
      calls.push('showNotification');
      notifications.push({ ...text, alertId });
    },
    setKiosk: (on) => record('setKiosk', on)(),
    launchAtLogin: record('launchAtLogin', { on: false, supported: true }),
    setLaunchAtLogin: (on) => record('setLaunchAtLogin', { on, supported: true })(),
    printReceipt: async () => record('printReceipt', { silent: false })(),
    copyText: () => record('copyText', undefined)(),
  };
  return { services, calls, notifications, focus: (f: boolean) => (focused = f) };
}

const trusted = { webContentsId: 1, isMainFrame: true, frameUrl: `${APP_ORIGIN}/` };
const trust = () => ({ webContentsId: 1, appOrigin: APP_ORIGIN });

describe('IPC registrar', () => {
  it('has exactly one handler for every allow-listed channel', () => {
    const handlers = createHandlers(fakeServices().services);
    expect(Object.keys(handlers).sort()).toEqual([...bridgeChannelList].sort());
  });

  it.each(bridgeChannelList)('%s answers a valid call with an ok envelope', async (channel) => {
    const dispatch = createDispatcher(createHandlers(fakeServices().services), trust);
    const result = await dispatch(channel, trusted, validArgs[channel]);
    expect(result.ok).toBe(true);
  });

  it.each(bridgeChannelList)(
    '%s validates its arguments before any service runs',
    async (channel) => {
      const fake = fakeServices();
      const dispatch = createDispatcher(createHandlers(fake.services), trust);
      for (const bad of [{ injected: '<script>' }, 'a string', 42, [validArgs[channel]]]) {
        const result = await dispatch(channel, trusted, bad);
        expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      }
      expect(fake.calls).toEqual([]);
    },
  );

  it('refuses channels that are not on the allow-list', async () => {
    const dispatch = createDispatcher(createHandlers(fakeServices().services), trust);
    expect(await dispatch('shell:open-external', trusted, undefined)).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it('refuses calls from sub-frames, other windows and foreign pages', async () => {
    const fake = fakeServices();
    const dispatch = createDispatcher(createHandlers(fake.services), trust);
    for (const sender of [
      { ...trusted, isMainFrame: false },
      { ...trusted, webContentsId: 2 },
      { ...trusted, frameUrl: 'https://evil.example/' },
    ]) {
      expect(await dispatch('secret:get', sender, { name: 'terminalToken' })).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
    }
    expect(fake.calls).toEqual([]);
  });

  it('turns service failures into error envelopes, never rejections', async () => {
    const fake = fakeServices();
    fake.services.secrets.set = async () => {
      throw new BridgeFailure('unavailable', 'OS encryption is unavailable');
    };
    fake.services.printReceipt = async () => {
      throw new Error('printer on fire at /home/user');
    };
    const logged: unknown[] = [];
    const dispatch = createDispatcher(createHandlers(fake.services), trust, (_c, e) =>
      logged.push(e),
    );
    expect(await dispatch('secret:set', trusted, validArgs['secret:set'])).toEqual({
      ok: false,
      error: { code: 'unavailable', message: 'OS encryption is unavailable' },
    });
    const failed = await dispatch('print:receipt', trusted, validArgs['print:receipt']);
    expect(failed).toMatchObject({ ok: false, error: { code: 'internal' } });
    // internals stay in the log, not in the page
    expect(JSON.stringify(failed)).not.toContain('/home/user');
    expect(logged).toHaveLength(1);
  });

  it('notifies about a new alert only when the window is not focused, without PII', async () => {
    const fake = fakeServices();
    const dispatch = createDispatcher(createHandlers(fake.services), trust);
    fake.focus(true);
    expect(await dispatch('notify:alert', trusted, validArgs['notify:alert'])).toEqual({
      ok: true,
      value: { shown: false } satisfies BridgeValues['notify:alert'],
    });
    fake.focus(false);
    expect(await dispatch('notify:alert', trusted, validArgs['notify:alert'])).toEqual({
      ok: true,
      value: { shown: true },
    });
    expect(fake.notifications).toEqual([
      { title: '会员到店 · 金卡', body: '点击查看顾客卡片', alertId: ALERT_ID },
    ]);
    // a page trying to smuggle a name into the notification is refused outright
    const smuggled = await dispatch('notify:alert', trusted, {
      ...validArgs['notify:alert'],
      name: '张三',
    });
    expect(smuggled).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });
});
