import type { AppUpdater } from 'electron-updater';
import type { MainLogger } from 'electron-log';

/** How often a running terminal asks the hub for a new version. */
export const UPDATE_CHECK_INTERVAL_MS = 4 * 60 * 60 * 1000;

/**
 * Auto-update from the hub's generic feed (`<hub>/updates/latest.yml` and the installers next to
 * it). Off in development and when IT turned it off; the download happens in the background and
 * installs when the app quits, so a guide is never interrupted mid-sale.
 */
export function startAutoUpdate(updater: AppUpdater, feedUrl: string, log: MainLogger): () => void {
  updater.logger = log;
  updater.autoDownload = true;
  updater.autoInstallOnAppQuit = true;
  updater.setFeedURL({ provider: 'generic', url: feedUrl });
  const check = (): void => {
    updater.checkForUpdates().catch((error: unknown) => log.warn('update check failed', error));
  };
  check();
  const timer = setInterval(check, UPDATE_CHECK_INTERVAL_MS);
  return () => clearInterval(timer);
}
