import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bridgeChannelList } from '../../shared/bridge';
import { invokeEvent, recorded } from '../test/electron-mock';

vi.mock('electron', async () => (await import('../test/electron-mock')).electronMock);
vi.mock('electron-log/main', () => {
  const noop = () => {};
  return {
    default: {
      transports: { file: {}, console: {} },
      hooks: [],
      info: noop,
      warn: noop,
      error: noop,
    },
  };
});
vi.mock('electron-updater', () => ({ default: { autoUpdater: {} } }));

const ALERT_ID = '0193a6c2-7d3e-7c4b-9f00-0123456789ab';

beforeAll(async () => {
  await import('./index');
  await vi.waitFor(() => expect(recorded.windows.length).toBe(1), { timeout: 10_000 });
});

describe('main process wiring (electron mocked)', () => {
  it('opens one sandboxed, isolated window without Node', () => {
    const prefs = recorded.windows[0]!.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
    });
    expect(String(prefs.preload)).toMatch(/preload[/\\]index\.cjs$/);
    expect(recorded.windows[0]!.webContents.getURL()).toBe('app://shopguide/');
  });

  it('registers an IPC handler for every allow-listed channel and nothing else', () => {
    expect([...recorded.ipcHandlers.keys()].sort()).toEqual([...bridgeChannelList].sort());
  });

  it('validates arguments and the sender on every registered channel', async () => {
    const window = recorded.windows[0]!;
    for (const handler of recorded.ipcHandlers.values()) {
      expect(await handler(invokeEvent(window), { bogus: true })).toMatchObject({
        ok: false,
        error: { code: 'invalid_input' },
      });
      expect(await handler(invokeEvent(window, 'sub'), undefined)).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
    }
  });

  it('stores secrets through safeStorage and reads them back', async () => {
    const window = recorded.windows[0]!;
    const set = recorded.ipcHandlers.get('secret:set')!;
    const get = recorded.ipcHandlers.get('secret:get')!;
    expect(await set(invokeEvent(window), { name: 'terminalToken', value: 'tok_abc' })).toEqual({
      ok: true,
      value: null,
    });
    expect(await get(invokeEvent(window), { name: 'terminalToken' })).toEqual({
      ok: true,
      value: 'tok_abc',
    });
  });

  it('hands out one data key, kept only safeStorage-encrypted, and erases it with the secrets', async () => {
    const window = recorded.windows[0]!;
    const getKey = recorded.ipcHandlers.get('data-key:get')!;
    const first = (await getKey(invokeEvent(window), undefined)) as { ok: true; value: string };
    expect(first.ok).toBe(true);
    expect(Buffer.from(first.value, 'base64')).toHaveLength(32);
    expect(await getKey(invokeEvent(window), undefined)).toEqual(first);
    const onDisk = readFileSync(join(recorded.userData, 'data-key.bin'), 'utf8');
    expect(onDisk).not.toContain(first.value);
    expect(Buffer.from(onDisk, 'base64').toString()).toMatch(/^enc:/);
    await recorded.ipcHandlers.get('secret:clear-all')!(invokeEvent(window), undefined);
    expect(existsSync(join(recorded.userData, 'data-key.bin'))).toBe(false);
    const next = (await getKey(invokeEvent(window), undefined)) as { ok: true; value: string };
    expect(next.value).not.toBe(first.value);
  });

  it('shows a PII-free OS notification when unfocused and focuses the alert on click', async () => {
    const window = recorded.windows[0]!;
    window.focused = false;
    const notify = recorded.ipcHandlers.get('notify:alert')!;
    expect(await notify(invokeEvent(window), { alertId: ALERT_ID, tier: 'gold' })).toEqual({
      ok: true,
      value: { shown: true },
    });
    const toast = recorded.notifications.at(-1)!;
    expect(toast.options).toEqual({ title: '会员到店 · 金卡', body: '点击查看顾客卡片' });
    toast.emit('click');
    expect(window.focused).toBe(true);
    expect(window.webContents.sent).toContainEqual(['alert:focus', ALERT_ID]);
  });

  it('denies window.open, navigation away and webviews', () => {
    const contents = recorded.windows[0]!.webContents;
    expect(contents.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({
      action: 'deny',
    });
    const away = {
      defaultPrevented: false,
      preventDefault() {
        this.defaultPrevented = true;
      },
    };
    contents.emit('will-navigate', away, 'https://evil.example/');
    expect(away.defaultPrevented).toBe(true);
    const home = {
      defaultPrevented: false,
      preventDefault() {
        this.defaultPrevented = true;
      },
    };
    contents.emit('will-navigate', home, 'app://shopguide/settings');
    expect(home.defaultPrevented).toBe(false);
    const webview = {
      defaultPrevented: false,
      preventDefault() {
        this.defaultPrevented = true;
      },
    };
    contents.emit('will-attach-webview', webview);
    expect(webview.defaultPrevented).toBe(true);
  });

  it('grants notifications to the app and refuses the camera', () => {
    const granted: boolean[] = [];
    const contents = recorded.windows[0]!.webContents;
    recorded.permissionRequestHandler!(contents, 'notifications', (g: boolean) => granted.push(g));
    recorded.permissionRequestHandler!(contents, 'media', (g: boolean) => granted.push(g));
    expect(granted).toEqual([true, false]);
  });

  it('serves the app from a privileged app:// scheme and 404s anything outside the build', async () => {
    const handler = recorded.protocolHandlers.get('app')!;
    const missing = await handler(new Request('app://shopguide/../../etc/passwd'));
    expect(missing.status).toBe(404);
    expect(recorded.privilegedSchemes).toContainEqual(expect.objectContaining({ scheme: 'app' }));
  });
});
