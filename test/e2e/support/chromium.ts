import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { chromiumEnv, clockIsMoved } from '../../support/moved-clock';

export const SCREENSHOT_DIR = resolve(import.meta.dirname, '../../../test-results');

/** Debian's Chromium, headless, without the background work (updates, sync, networking) a profile starts. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's Chromium with a fresh profile per test file (no state leaks between tests). */
export async function launchChromium(): Promise<{
  context: BrowserContext;
  close(): Promise<void>;
}> {
  const profile = mkdtempSync(join(tmpdir(), 'sg-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_FLAGS,
    env: chromiumEnv(process.env),
  });
  if (clockIsMoved()) {
    // A run with the date moved must move the pages' date too, or it checks nothing.
    const probe = await context.newPage();
    const pageNow = await probe.evaluate(() => Date.now());
    await probe.close();
    if (Math.abs(pageNow - Date.now()) > 60_000) {
      throw new Error(`Chromium's date ${new Date(pageNow).toISOString()} is not the moved date`);
    }
  }
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
