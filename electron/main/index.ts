import { randomBytes } from 'node:crypto';
import { readFile, writeFile, mkdir, rm } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  clipboard,
  ipcMain,
  net,
  Notification,
  protocol,
  safeStorage,
  session,
  type IpcMainInvokeEvent,
} from 'electron';
import log from 'electron-log/main';
import electronUpdater from 'electron-updater';
import { BridgeEvents, bridgeChannelList, type DeploymentInfo } from '../../shared/bridge';
import {
  CONFIG_FILE_NAME,
  normaliseHubUrl,
  resolveDeploymentConfig,
  systemConfigDir,
  type DeploymentConfig,
} from './config/deployment-config';
import { createHandlers } from './ipc/handlers';
import { BridgeFailure, createDispatcher } from './ipc/registrar';
import { appFileSegments, appResponseHeaders } from '../../shared/web/app-files';
import { buildCsp } from '../../shared/web/csp';
import {
  APP_ORIGIN,
  APP_SCHEME,
  isNavigationAllowed,
  isPermissionAllowed,
} from './security/origins';
import { configureLogging } from './services/logging';
import { printOptions, renderReceiptHtml } from './services/receipt';
import { receiptQrSvg } from './services/receipt-qr';
import { createCrashPolicy } from './services/recovery';
import { createDataKeyService } from './services/data-key';
import { createSecretStore, type Cipher } from './services/secret-store';
import { startAutoUpdate } from './services/updater';
import { mainWindowOptions, receiptWindowOptions } from './window/window-options';

/*
 * The main process is a gatekeeper, not an app: it opens one locked-down window, answers the
 * allow-listed bridge calls and keeps the machine-level services (secure storage, notifications,
 * printing, updates). All decisions live in the pure modules imported above.
 */

const here = dirname(fileURLToPath(import.meta.url));
const rendererDir = join(here, '../renderer');
const preloadPath = join(here, '../preload/index.cjs');
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const appOrigin = devServerUrl ? new URL(devServerUrl).origin : APP_ORIGIN;

configureLogging(log);

// Must happen before `ready`: the app scheme behaves like https (secure, fetch, CSP) for our pages.
protocol.registerSchemesAsPrivileged([
  {
    scheme: APP_SCHEME,
    privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false },
  },
]);

if (!app.requestSingleInstanceLock()) {
  // A second launch (double-clicked shortcut) focuses the running terminal instead.
  app.quit();
} else {
  void main();
}

const settingsFile = (): string => join(app.getPath('userData'), 'settings.json');
const secretsFile = (): string => join(app.getPath('userData'), 'secrets.json');
const dataKeyFile = (): string => join(app.getPath('userData'), 'data-key.bin');

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

function loadDeploymentConfig(): DeploymentConfig {
  const files = [
    join(dirname(app.getPath('exe')), CONFIG_FILE_NAME),
    join(systemConfigDir(process.platform, process.env), CONFIG_FILE_NAME),
  ].map((path) => ({ path, text: existsSync(path) ? readFileSync(path, 'utf8') : null }));
  let savedHubUrl: string | null = null;
  try {
    const saved: unknown = JSON.parse(readFileSync(settingsFile(), 'utf8'));
    if (saved && typeof saved === 'object' && 'hubUrl' in saved && typeof saved.hubUrl === 'string')
      savedHubUrl = saved.hubUrl;
  } catch {
    // first run
  }
  return resolveDeploymentConfig({
    argv: process.argv,
    files,
    savedHubUrl,
    isPackaged: app.isPackaged,
  });
}

async function main(): Promise<void> {
  let config = loadDeploymentConfig();
  for (const warning of config.warnings) log.warn('deployment config', warning);
  let win: BrowserWindow | null = null;
  let stopUpdates: (() => void) | null = null;

  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  // Nothing may create extra webContents or navigate away, whatever the page asks for.
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event, url) => {
      if (!isNavigationAllowed(url, appOrigin)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isNavigationAllowed(url, appOrigin)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  app.on('window-all-closed', () => app.quit());

  await app.whenReady();

  const osCipher: Cipher = {
    isAvailable: () => safeStorage.isEncryptionAvailable(),
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (cipher) => safeStorage.decryptString(Buffer.from(cipher)),
  };
  const dataKey = createDataKeyService(
    osCipher,
    {
      read: () => readText(dataKeyFile()),
      write: async (text) => {
        await mkdir(dirname(dataKeyFile()), { recursive: true });
        await writeFile(dataKeyFile(), text, { mode: 0o600 });
      },
      remove: () => rm(dataKeyFile(), { force: true }),
    },
    (bytes) => randomBytes(bytes),
    log,
  );
  const secrets = createSecretStore(osCipher, {
    read: () => readText(secretsFile()),
    write: async (text) => {
      await mkdir(dirname(secretsFile()), { recursive: true });
      await writeFile(secretsFile(), text, { mode: 0o600 });
    },
  });
  // IT pre-seeded an enrolment token: move it into secure storage on first start.
  let enrolled = false;
  if (config.enrolToken !== null) {
    try {
      if ((await secrets.get('terminalToken')) === null) {
        await secrets.set('terminalToken', config.enrolToken);
      }
      enrolled = true;
    } catch (error) {
      log.error('could not store the enrolment token', error);
    }
  }

  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((webContents, permission, callback) =>
    callback(isPermissionAllowed(permission, webContents.getURL(), appOrigin)),
  );
  ses.setPermissionCheckHandler((_webContents, permission, requestingOrigin) =>
    isPermissionAllowed(permission, requestingOrigin, appOrigin),
  );
  protocol.handle(APP_SCHEME, async (request) => {
    const segments = appFileSegments(request.url);
    const file = segments && join(rendererDir, ...segments);
    if (file === null || !existsSync(file)) return new Response('not found', { status: 404 });
    // Electron's fs reads inside app.asar transparently.
    return new Response(await readFile(file), {
      status: 200,
      headers: appResponseHeaders(file, buildCsp(config.hubOrigin)),
    });
  });

  const deploymentInfo = (): DeploymentInfo => ({
    hubUrl: config.hubUrl,
    source: config.source,
    enrolled,
  });

  const createWindow = (): BrowserWindow => {
    const window = new BrowserWindow(
      mainWindowOptions({ preloadPath, kiosk: config.kiosk, iconPath: iconPath() }),
    );
    window.once('ready-to-show', () => window.show());
    const policy = createCrashPolicy({ maxReloads: 3, windowMs: 60_000, hangGraceMs: 10_000 });
    window.webContents.on('render-process-gone', (_event, details) => {
      const decision = policy.onGone(details.reason, Date.now());
      log.error('renderer gone', details.reason, decision);
      if (decision === 'reload') void loadApp(window);
      else if (decision === 'give-up') void window.loadURL(crashPageUrl());
    });
    let hungSince: number | null = null;
    let hangTimer: NodeJS.Timeout | null = null;
    window.on('unresponsive', () => {
      hungSince = Date.now();
      hangTimer = setTimeout(() => {
        if (hungSince === null) return;
        const decision = policy.onUnresponsive(hungSince, Date.now());
        log.error('renderer unresponsive', decision);
        if (decision === 'reload') window.webContents.forcefullyCrashRenderer();
      }, 10_500);
    });
    window.on('responsive', () => {
      hungSince = null;
      if (hangTimer) clearTimeout(hangTimer);
    });
    void loadApp(window);
    return window;
  };

  const dispatch = createDispatcher(
    createHandlers({
      appInfo: () => ({
        name: 'ShopGuide',
        version: app.getVersion(),
        platform: 'electron',
        secretProtection: 'os-keychain',
        os: `${process.platform} ${process.getSystemVersion()}`,
      }),
      deployment: deploymentInfo,
      setHubUrl: async (hubUrl) => {
        const url = normaliseHubUrl(hubUrl);
        const health = await net.fetch(`${url}/healthz`).catch(() => null);
        if (!health?.ok) throw new BridgeFailure('unavailable', 'the hub did not answer');
        await writeFile(settingsFile(), JSON.stringify({ hubUrl: url }));
        config = loadDeploymentConfig();
        // The CSP is built per response, so a reload picks up the new hub origin.
        setTimeout(() => win && void loadApp(win), 50);
        return deploymentInfo();
      },
      secrets,
      dataKey,
      windowFocused: () => win?.isFocused() ?? false,
      showNotification: (text, alertId) => {
        if (!Notification.isSupported()) return;
        const notification = new Notification({ title: text.title, body: text.body });
        notification.on('click', () => {
          if (!win) return;
          if (win.isMinimized()) win.restore();
          win.show();
          win.focus();
          win.webContents.send(BridgeEvents.alertFocus, alertId);
        });
        notification.show();
      },
      setKiosk: (on) => {
        win?.setKiosk(on);
        return win?.isKiosk() ?? false;
      },
      launchAtLogin: () => launchAtLoginState(),
      setLaunchAtLogin: (on) => {
        if (launchAtLoginState().supported) app.setLoginItemSettings({ openAtLogin: on });
        return launchAtLoginState();
      },
      // The main process writes the clipboard: no renderer clipboard permission to grant.
      copyText: (text) => clipboard.writeText(text),
      printReceipt: async (receipt) => {
        const printer = new BrowserWindow(receiptWindowOptions());
        try {
          await printer.loadURL(
            `data:text/html;charset=utf-8,${encodeURIComponent(
              renderReceiptHtml(receipt, await receiptQrSvg(receipt.orderId)),
            )}`,
          );
          const options = printOptions(
            await printer.webContents.getPrintersAsync(),
            config.receiptPrinter,
          );
          await new Promise<void>((resolve, reject) =>
            printer.webContents.print(options, (success, reason) =>
              success || reason === 'cancelled'
                ? resolve()
                : reject(new BridgeFailure('unavailable', `printing failed: ${reason}`)),
            ),
          );
          return { silent: options.silent };
        } finally {
          printer.destroy();
        }
      },
    }),
    () => ({ webContentsId: win?.webContents.id ?? null, appOrigin }),
    (channel, error) => log.error('bridge handler failed', channel, error),
  );
  for (const channel of bridgeChannelList) {
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, args: unknown) =>
      dispatch(
        channel,
        {
          webContentsId: event.sender.id,
          isMainFrame: event.senderFrame !== null && event.senderFrame === event.sender.mainFrame,
          frameUrl: event.senderFrame?.url ?? '',
        },
        args,
      ),
    );
  }

  win = createWindow();
  win.on('closed', () => {
    win = null;
  });

  if (config.autoUpdate && config.updateFeedUrl !== null) {
    stopUpdates = startAutoUpdate(electronUpdater.autoUpdater, config.updateFeedUrl, log, {
      isPackaged: app.isPackaged,
    });
  }
  app.on('before-quit', () => stopUpdates?.());
  log.info('ShopGuide started', app.getVersion(), config.source);
}

function launchAtLoginState(): { on: boolean; supported: boolean } {
  // Login items exist on Windows and macOS; Linux desktops use autostart files IT manages.
  const supported = process.platform === 'win32' || process.platform === 'darwin';
  return { on: supported && app.getLoginItemSettings().openAtLogin, supported };
}

function loadApp(window: BrowserWindow): Promise<void> {
  return devServerUrl ? window.loadURL(devServerUrl) : window.loadURL(`${APP_ORIGIN}/`);
}

function iconPath(): string | undefined {
  const path = join(process.resourcesPath ?? '', 'icon.png');
  return existsSync(path) ? path : undefined;
}

function crashPageUrl(): string {
  const html = `<!doctype html><meta charset="utf-8"><title>ShopGuide</title><body style="font:16px sans-serif;padding:2em"><h1>ShopGuide 遇到问题</h1><p>界面多次崩溃，已停止自动重启。请重新打开应用；未同步的数据保存在本机，不会丢失。</p></body>`;
  return `data:text/html;charset=utf-8,${encodeURIComponent(html)}`;
}
