import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { chromiumEnv, clockAheadEnv, clockIsMoved } from '../../support/moved-clock';
import { scratchTmpdir } from '../../support/scratch-dir';

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

export type ChromiumOptions = {
  /**
   * A profile the caller owns and keeps (a counter PC started again later, with its IndexedDB);
   * a fresh one, removed on close, otherwise.
   */
  profileDir?: string;
  /**
   * Runs the whole browser this far ahead of this process's clock (libfaketime, as a moved
   * suite does). Not Playwright's `page.clock`: its fake `Date` breaks subclasses of Date, and
   * with them `TZDate`, so store-local dates would come out in the machine's zone.
   */
  clockAheadMs?: number;
};

/** Debian's Chromium with a fresh profile per test file (no state leaks between tests). */
export async function launchChromium(options: ChromiumOptions = {}): Promise<{
  context: BrowserContext;
  close(): Promise<void>;
}> {
  const profile = options.profileDir ?? mkdtempSync(join(scratchTmpdir(), 'sg-chromium-'));
  const ahead = options.clockAheadMs ?? 0;
  const env = chromiumEnv(ahead ? { ...process.env, ...clockAheadEnv(ahead) } : process.env);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_FLAGS,
    env,
  });
  if (clockIsMoved(env)) {
    // A run with the date moved must move the pages' date too, or it checks nothing.
    const probe = await context.newPage();
    const pageNow = await probe.evaluate(() => Date.now());
    await probe.close();
    if (Math.abs(pageNow - (Date.now() + ahead)) > 60_000) {
      throw new Error(`Chromium's date ${new Date(pageNow).toISOString()} is not the moved date`);
    }
  }
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    context,
    async close() {
      await context.close();
      if (!options.profileDir) rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A CSP violation a page reported (`securitypolicyviolation`): the directive and what it refused. */
export type CspViolation = { directive: string; blockedURI: string };

/**
 * Records every CSP violation of the context's pages from their first moment (an init script is
 * not subject to the CSP); `violations(page)` reads what a page has recorded so far.
 */
export async function recordCspViolations(context: BrowserContext): Promise<{
  violations(page: Page): Promise<CspViolation[]>;
}> {
  await context.addInitScript(() => {
    const w = window as unknown as { __cspViolations: CspViolation[] };
    w.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      w.__cspViolations.push({ directive: e.effectiveDirective, blockedURI: e.blockedURI }),
    );
  });
  return {
    violations: (page) =>
      page.evaluate(
        () => (window as unknown as { __cspViolations: CspViolation[] }).__cspViolations,
      ),
  };
}
