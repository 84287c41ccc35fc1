import type { MainLogger } from 'electron-log';
import { checkUpdateFeed, startAutoUpdate, type Updater } from './updater';

function fakeUpdater(): Updater & { feeds: unknown[]; checks: number } {
  const fake = {
    logger: null,
    autoDownload: false,
    autoInstallOnAppQuit: false,
    allowDowngrade: true,
    allowPrerelease: true,
    feeds: [] as unknown[],
    checks: 0,
    setFeedURL(options: unknown) {
      fake.feeds.push(options);
    },
    checkForUpdates() {
      fake.checks += 1;
      return Promise.resolve(null);
    },
  };
  return fake;
}

function recordingLog(): MainLogger & { errors: string[] } {
  const errors: string[] = [];
  const noop = () => undefined;
  return {
    errors,
    error: (message: string) => errors.push(message),
    warn: noop,
    info: noop,
  } as unknown as MainLogger & { errors: string[] };
}

describe('update channel', () => {
  it('takes updates over HTTPS in a packaged build', () => {
    expect(checkUpdateFeed('https://hub.example.cn/updates', { isPackaged: true })).toEqual({
      ok: true,
      url: 'https://hub.example.cn/updates',
    });
  });

  it('refuses a plain-HTTP feed outside development, naming the fix', () => {
    const decision = checkUpdateFeed('http://hub.example.cn/updates', { isPackaged: true });
    expect(decision.ok).toBe(false);
    expect(!decision.ok && decision.reason).toMatch(/must use https:\/\/.*hub\.example\.cn/);
    expect(checkUpdateFeed('ftp://hub/updates', { isPackaged: true }).ok).toBe(false);
    expect(checkUpdateFeed('not a url', { isPackaged: true }).ok).toBe(false);
  });

  it('allows plain HTTP in development (a local hub)', () => {
    expect(checkUpdateFeed('http://127.0.0.1:4600/updates', { isPackaged: false }).ok).toBe(true);
  });

  it('never configures or polls the updater for a refused feed, and logs why once', () => {
    const updater = fakeUpdater();
    const log = recordingLog();
    const stop = startAutoUpdate(updater, 'http://hub.example.cn/updates', log, {
      isPackaged: true,
    });
    expect(stop).toBeNull();
    expect(updater.feeds).toEqual([]);
    expect(updater.checks).toBe(0);
    expect(log.errors).toHaveLength(1);
    expect(log.errors[0]).toMatch(/auto-update refused/);
  });

  it('on HTTPS checks at once, never downgrades and skips pre-releases', () => {
    const updater = fakeUpdater();
    const stop = startAutoUpdate(updater, 'https://hub.example.cn/updates', recordingLog(), {
      isPackaged: true,
    });
    expect(updater.feeds).toEqual([{ provider: 'generic', url: 'https://hub.example.cn/updates' }]);
    expect(updater.checks).toBe(1);
    expect(updater.allowDowngrade).toBe(false);
    expect(updater.allowPrerelease).toBe(false);
    expect(updater.autoInstallOnAppQuit).toBe(true);
    stop?.();
  });
});
