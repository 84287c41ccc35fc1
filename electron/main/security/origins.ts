/**
 * Who may do what, as pure predicates the Electron glue calls: where the window may navigate,
 * which IPC senders are trusted, which permissions are granted. No Electron import.
 */

/** The app is served from a privileged custom scheme, never `file://` (see Electron's security guide). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'shopguide';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    // Custom schemes report origin "null" in WHATWG URL; compare scheme + host instead.
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return null;
  }
}

/** True when `url` is one of the app's own pages (the only place the window may navigate to). */
export function isAppUrl(url: string, appOrigin: string = APP_ORIGIN): boolean {
  return originOf(url) === appOrigin;
}

/**
 * Navigation policy: the window only ever shows the app. In development the app is served by the
 * Vite dev server, whose origin is then the app origin.
 */
export function isNavigationAllowed(url: string, appOrigin: string): boolean {
  return isAppUrl(url, appOrigin);
}

export type SenderFacts = {
  /** webContents id of the sender */
  webContentsId: number;
  /** whether the sending frame is the top-level frame */
  isMainFrame: boolean;
  /** the URL of the sending frame */
  frameUrl: string;
};

/**
 * IPC is answered only for our window's main frame showing an app page: a sub-frame, another
 * webContents (e.g. the hidden receipt printer) or a page that navigated elsewhere gets nothing.
 */
export function isTrustedSender(
  sender: SenderFacts,
  trusted: { webContentsId: number | null; appOrigin: string },
): boolean {
  return (
    trusted.webContentsId !== null &&
    sender.webContentsId === trusted.webContentsId &&
    sender.isMainFrame &&
    isAppUrl(sender.frameUrl, trusted.appOrigin)
  );
}

/** Permissions: notifications only, and only for the app's own pages. */
export function isPermissionAllowed(
  permission: string,
  requestingUrl: string,
  appOrigin: string,
): boolean {
  return permission === 'notifications' && isAppUrl(requestingUrl, appOrigin);
}
