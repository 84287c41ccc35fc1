import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * Options of the one terminal window. Locked down per Electron's security checklist: isolated,
 * sandboxed, no Node in the page, no webview tags, no remote/experimental features.
 */
export function mainWindowOptions(input: {
  preloadPath: string;
  kiosk: boolean;
  iconPath?: string;
}): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 1024,
    minHeight: 640,
    show: false,
    title: 'ShopGuide',
    backgroundColor: '#ffffff',
    autoHideMenuBar: true,
    kiosk: input.kiosk,
    ...(input.iconPath ? { icon: input.iconPath } : {}),
    webPreferences: {
      preload: input.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
    },
  };
}

/**
 * The hidden window a receipt is printed from: no preload, no JavaScript at all, so the receipt
 * HTML (which contains product names typed at head office) can never run code.
 */
export function receiptWindowOptions(): BrowserWindowConstructorOptions {
  return {
    show: false,
    width: 320,
    height: 600,
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      javascript: false,
      webviewTag: false,
      webSecurity: true,
    },
  };
}
