import {
  APP_ORIGIN,
  isAppUrl,
  isNavigationAllowed,
  isPermissionAllowed,
  isTrustedSender,
} from './origins';

describe('origin checks', () => {
  it('recognises only the app origin as the app', () => {
    expect(isAppUrl('app://shopguide/')).toBe(true);
    expect(isAppUrl('app://shopguide/index.html#/alerts')).toBe(true);
    expect(isAppUrl('app://evil/')).toBe(false);
    expect(isAppUrl('https://shopguide/')).toBe(false);
    expect(isAppUrl('file:///C:/app/index.html')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });

  it('keeps the window on the app: navigation elsewhere is refused', () => {
    expect(isNavigationAllowed('app://shopguide/settings', APP_ORIGIN)).toBe(true);
    expect(isNavigationAllowed('https://phishing.example/', APP_ORIGIN)).toBe(false);
    expect(isNavigationAllowed('http://localhost:5173/', APP_ORIGIN)).toBe(false);
    // development: the Vite dev server is the app
    expect(isNavigationAllowed('http://localhost:5173/x', 'http://localhost:5173')).toBe(true);
    expect(isNavigationAllowed('http://localhost:5174/x', 'http://localhost:5173')).toBe(false);
  });

  it('trusts IPC only from the main frame of our window showing the app', () => {
    const trusted = { webContentsId: 7, appOrigin: APP_ORIGIN };
    const good = { webContentsId: 7, isMainFrame: true, frameUrl: 'app://shopguide/' };
    expect(isTrustedSender(good, trusted)).toBe(true);
    expect(isTrustedSender({ ...good, isMainFrame: false }, trusted)).toBe(false);
    expect(isTrustedSender({ ...good, webContentsId: 8 }, trusted)).toBe(false);
    expect(isTrustedSender({ ...good, frameUrl: 'https://evil.example/' }, trusted)).toBe(false);
    expect(isTrustedSender(good, { ...trusted, webContentsId: null })).toBe(false);
  });

  it('grants notifications to the app and nothing else to anyone', () => {
    expect(isPermissionAllowed('notifications', 'app://shopguide/', APP_ORIGIN)).toBe(true);
    expect(isPermissionAllowed('notifications', 'https://evil.example/', APP_ORIGIN)).toBe(false);
    for (const p of ['media', 'geolocation', 'clipboard-read', 'openExternal', 'hid', 'serial']) {
      expect(isPermissionAllowed(p, 'app://shopguide/', APP_ORIGIN)).toBe(false);
    }
  });
});
