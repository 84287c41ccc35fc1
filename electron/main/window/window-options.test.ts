import { mainWindowOptions, receiptWindowOptions } from './window-options';

describe('window options', () => {
  it('locks the terminal window down', () => {
    const options = mainWindowOptions({ preloadPath: '/app/preload/index.cjs', kiosk: false });
    expect(options.webPreferences).toMatchObject({
      preload: '/app/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(options.kiosk).toBe(false);
    expect(options.show).toBe(false);
  });

  it('starts in kiosk mode on counter PCs configured so', () => {
    expect(mainWindowOptions({ preloadPath: 'p', kiosk: true }).kiosk).toBe(true);
  });

  it('prints receipts from a window with no preload and no JavaScript', () => {
    const options = receiptWindowOptions();
    expect(options.webPreferences?.preload).toBeUndefined();
    expect(options.webPreferences).toMatchObject({
      javascript: false,
      sandbox: true,
      nodeIntegration: false,
    });
    expect(options.show).toBe(false);
  });
});
