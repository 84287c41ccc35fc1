import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * The one shared stand-in for the `electron` module (the binary cannot run in CI): just enough
 * surface for `electron/main/index.ts` to start, with every call recorded so tests can assert on
 * what the main process asked Electron to do. Use with
 * `vi.mock('electron', async () => (await import('../test/electron-mock')).electronMock)`.
 */

type Handler = (...args: unknown[]) => unknown;

export const recorded = {
  windows: [] as FakeBrowserWindow[],
  ipcHandlers: new Map<string, Handler>(),
  protocolHandlers: new Map<string, (request: Request) => Promise<Response>>(),
  privilegedSchemes: [] as unknown[],
  notifications: [] as FakeNotification[],
  permissionRequestHandler: null as Handler | null,
  permissionCheckHandler: null as Handler | null,
  userData: mkdtempSync(join(tmpdir(), 'sg-electron-mock-')),
};

let nextId = 1;

class FakeWebContents extends EventEmitter {
  readonly id = nextId++;
  readonly mainFrame = { url: 'app://shopguide/' };
  url = '';
  windowOpenHandler: Handler | null = null;
  sent: unknown[][] = [];
  setWindowOpenHandler(handler: Handler): void {
    this.windowOpenHandler = handler;
  }
  getURL(): string {
    return this.url;
  }
  send(...args: unknown[]): void {
    this.sent.push(args);
  }
  async getPrintersAsync(): Promise<{ name: string }[]> {
    return [];
  }
  print(_options: unknown, callback: (ok: boolean, reason: string) => void): void {
    callback(true, '');
  }
  forcefullyCrashRenderer(): void {}
}

export class FakeBrowserWindow extends EventEmitter {
  readonly webContents = new FakeWebContents();
  kiosk: boolean;
  focused = true;
  constructor(readonly options: Record<string, unknown>) {
    super();
    this.kiosk = Boolean(options.kiosk);
    recorded.windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  async loadURL(url: string): Promise<void> {
    this.webContents.url = url;
    this.webContents.mainFrame.url = url;
  }
  isFocused(): boolean {
    return this.focused;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  show(): void {}
  focus(): void {
    this.focused = true;
  }
  setKiosk(on: boolean): void {
    this.kiosk = on;
  }
  isKiosk(): boolean {
    return this.kiosk;
  }
  destroy(): void {}
}

class FakeNotification extends EventEmitter {
  shown = false;
  constructor(readonly options: { title: string; body: string }) {
    super();
    recorded.notifications.push(this);
  }
  static isSupported(): boolean {
    return true;
  }
  show(): void {
    this.shown = true;
  }
}

const app = Object.assign(new EventEmitter(), {
  isPackaged: false,
  requestSingleInstanceLock: () => true,
  whenReady: () => Promise.resolve(),
  quit: () => {},
  getPath: (name: string) => (name === 'exe' ? '/opt/ShopGuide/shopguide' : recorded.userData),
  getVersion: () => '0.1.0',
  getLoginItemSettings: () => ({ openAtLogin: false }),
  setLoginItemSettings: () => {},
});

export const electronMock = {
  app,
  BrowserWindow: FakeBrowserWindow,
  Notification: FakeNotification,
  ipcMain: {
    handle: (channel: string, handler: Handler) => recorded.ipcHandlers.set(channel, handler),
  },
  protocol: {
    registerSchemesAsPrivileged: (schemes: unknown[]) =>
      recorded.privilegedSchemes.push(...schemes),
    handle: (scheme: string, handler: (request: Request) => Promise<Response>) =>
      recorded.protocolHandlers.set(scheme, handler),
  },
  net: { fetch: (url: string) => fetch(url) },
  safeStorage: {
    isEncryptionAvailable: () => true,
    encryptString: (plain: string) => Buffer.from(`enc:${plain}`),
    decryptString: (cipher: Buffer) => cipher.toString().replace(/^enc:/, ''),
  },
  session: {
    defaultSession: {
      setPermissionRequestHandler: (handler: Handler) => {
        recorded.permissionRequestHandler = handler;
      },
      setPermissionCheckHandler: (handler: Handler) => {
        recorded.permissionCheckHandler = handler;
      },
    },
  },
};

/** An `ipcMain.handle` event as Electron builds it for a frame of a window. */
export function invokeEvent(window: FakeBrowserWindow, frame: 'main' | 'sub' = 'main') {
  const contents = window.webContents;
  return {
    sender: contents,
    senderFrame: frame === 'main' ? contents.mainFrame : { url: contents.mainFrame.url },
  };
}
