import type { AppUpdater } from 'electron-updater';
import type { MainLogger } from 'electron-log';

/** How often a running terminal asks the hub for a new version. */
export const UPDATE_CHECK_INTERVAL_MS = 4 * 60 * 60 * 1000;

/** The part of electron-updater's AppUpdater the terminal uses (a fake in tests). */
export type Updater = Pick<
  AppUpdater,
  | 'logger'
  | 'autoDownload'
  | 'autoInstallOnAppQuit'
  | 'allowDowngrade'
  | 'allowPrerelease'
  | 'setFeedURL'
  | 'checkForUpdates'
>;

export type UpdateFeedDecision = { ok: true; url: string } | { ok: false; reason: string };

/**
 * Whether a packaged terminal may take updates from `feedUrl`. An update replaces the app that
 * holds the store's customer cache and the terminal token, so outside development it comes only
 * over HTTPS: on plain HTTP anyone on the store's network (a café Wi-Fi, a rogue switch) could
 * answer `latest.yml` with their own installer and a matching SHA-512. HTTPS authenticates the
 * feed; the installer's own code signature is checked on top (see docs/packaging.md).
 */
export function checkUpdateFeed(
  feedUrl: string,
  options: { isPackaged: boolean },
): UpdateFeedDecision {
  let url: URL;
  try {
    url = new URL(feedUrl);
  } catch {
    return { ok: false, reason: 'update feed URL is not a URL' };
  }
  if (url.protocol === 'https:') return { ok: true, url: url.toString() };
  if (url.protocol === 'http:' && !options.isPackaged) return { ok: true, url: url.toString() };
  return {
    ok: false,
    reason: `auto-update refused: the update feed must use https:// (got ${url.protocol}//${url.host}); updates stay off until IT configures an HTTPS feed`,
  };
}

/**
 * Auto-update from the hub's generic feed (`<hub>/updates/latest.yml` and the installers next to
 * it). Off in development and when IT turned it off; the download happens in the background and
 * installs when the app quits, so a guide is never interrupted mid-sale. Returns a stopper, or
 * null when the feed was refused (the reason is logged once).
 */
export function startAutoUpdate(
  updater: Updater,
  feedUrl: string,
  log: MainLogger,
  options: { isPackaged: boolean },
): (() => void) | null {
  const decision = checkUpdateFeed(feedUrl, options);
  if (!decision.ok) {
    log.error(decision.reason);
    return null;
  }
  updater.logger = log;
  updater.autoDownload = true;
  updater.autoInstallOnAppQuit = true;
  // Never step back to an older (possibly vulnerable) build, even if the feed offers one.
  updater.allowDowngrade = false;
  updater.allowPrerelease = false;
  updater.setFeedURL({ provider: 'generic', url: decision.url });
  const check = (): void => {
    updater.checkForUpdates().catch((error: unknown) => log.warn('update check failed', error));
  };
  check();
  const timer = setInterval(check, UPDATE_CHECK_INTERVAL_MS);
  return () => clearInterval(timer);
}
