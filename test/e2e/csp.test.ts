import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { endpoints } from '../../shared/protocol';
import { buildCsp } from '../../shared/web/csp';
import { routePath } from '../support/http';
import { serveRenderer } from '../../scripts/start-terminal';
import { sharedRendererBuild } from './support/shared-builds';
import { launchChromium, recordCspViolations, SCREENSHOT_DIR } from './support/chromium';
import { startOriginServer } from './support/origin-server';

/*
 * The terminal in a real Chromium (browser mode), served with the production CSP: an injected
 * script must not run, and the page must not reach any origin but the hub.
 */

let buildDir: string;
let hub: Awaited<ReturnType<typeof startOriginServer>>;
let other: Awaited<ReturnType<typeof startOriginServer>>;
let app: Awaited<ReturnType<typeof serveRenderer>>;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let context: BrowserContext;
let page: Page;
let csp: Awaited<ReturnType<typeof recordCspViolations>>;

beforeAll(async () => {
  buildDir = await sharedRendererBuild();
  hub = await startOriginServer();
  other = await startOriginServer();
  app = await serveRenderer({ dir: buildDir, hubUrl: hub.origin });
  browser = await launchChromium();
  context = browser.context;
  csp = await recordCspViolations(context);
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await hub?.stop();
  await other?.stop();
});

const violations = () => csp.violations(page);

describe('terminal in Chromium under the production CSP', () => {
  it('is served with exactly the CSP the Electron shell uses, and starts', async () => {
    const response = await page.goto(app.url);
    expect(response!.headers()['content-security-policy']).toBe(buildCsp(hub.origin));
    await expect
      .poll(() => page.getByRole('heading', { name: '连接本终端' }).isVisible())
      .toBe(true);
    // browser mode tells the guide the token is less protected here
    await expect.poll(() => page.getByRole('note').textContent()).toMatch(/浏览器模式/);
  });

  it('lets the app talk to the hub over http', async () => {
    // Connecting asks the hub who this terminal is: the request must get through the CSP.
    await page.getByLabel('终端令牌').fill('sgt_csp-test-token');
    await page.getByRole('button', { name: '连接', exact: true }).click();
    await expect.poll(() => hub.requests).toContain(routePath(endpoints.terminalInfo));
    // The hub's answer was validated (zod) and refused: the app says so…
    await expect.poll(() => page.getByRole('alert').count()).toBeGreaterThan(0);
    // …without zod ever trying to compile its fast path with \`new Function\` (it is told the
    // page has no eval, shared/web/no-eval.ts): under this CSP every try was refused and
    // reported as a violation.
    expect((await violations()).filter((v) => v.blockedURI === 'eval')).toEqual([]);
  });

  it('blocks an injected inline script and inline event handler', async () => {
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__injected = true';
      document.body.append(script);
      const holder = document.createElement('div');
      holder.innerHTML = '<img src="/missing.png" onerror="window.__xss = true">';
      document.body.append(holder);
    });
    await expect
      .poll(
        async () => (await violations()).filter((v) => v.directive.startsWith('script-src')).length,
      )
      .toBeGreaterThanOrEqual(2);
    const ran = await page.evaluate(() => {
      const w = window as unknown as { __injected?: boolean; __xss?: boolean };
      return { injected: w.__injected ?? false, xss: w.__xss ?? false };
    });
    expect(ran).toEqual({ injected: false, xss: false });
    expect(await violations()).toContainEqual({
      directive: 'script-src-elem',
      blockedURI: 'inline',
    });
  });

  it('blocks code built from strings (string timers)', async () => {
    await page.evaluate(() => {
      // A string timer is compiled by the page itself, so the page's CSP applies to it.
      (setTimeout as (code: string, ms: number) => number)('window.__timer = true', 0);
    });
    await expect
      .poll(async () => (await violations()).some((v) => v.directive === 'script-src'))
      .toBe(true);
    expect(await page.evaluate(() => (window as { __timer?: boolean }).__timer ?? false)).toBe(
      false,
    );
  });

  it('blocks fetch and WebSocket to a non-hub origin before they leave the browser', async () => {
    const fetchResult = await page.evaluate(
      async (url) => {
        try {
          await fetch(url);
          return 'reached';
        } catch {
          return 'blocked';
        }
      },
      `${other.origin}${routePath(endpoints.registerCustomer)}`,
    );
    expect(fetchResult).toBe('blocked');

    const wsResult = await page.evaluate(
      (url) =>
        new Promise<string>((settle) => {
          try {
            const ws = new WebSocket(url.replace('http', 'ws') + '/socket.io/');
            ws.onopen = () => settle('open');
            ws.onerror = () => settle('blocked');
          } catch {
            settle('blocked');
          }
        }),
      other.origin,
    );
    expect(wsResult).toBe('blocked');
    expect(other.requests).toEqual([]);
    expect(other.upgrades).toEqual([]);
    const blocked = (await violations()).filter((v) => v.directive === 'connect-src');
    expect(blocked.map((v) => new URL(v.blockedURI).port)).toEqual([
      new URL(other.origin).port,
      new URL(other.origin).port,
    ]);
  });

  it('allows a WebSocket to the hub (socket.io transport)', async () => {
    const wsResult = await page.evaluate(
      (url) =>
        new Promise<string>((settle) => {
          const ws = new WebSocket(url.replace('http', 'ws') + '/socket.io/');
          ws.onopen = () => {
            ws.close();
            settle('open');
          };
          ws.onerror = () => settle('error');
        }),
      hub.origin,
    );
    expect(wsResult).toBe('open');
    expect(hub.upgrades).toEqual(['/socket.io/']);
    await page.screenshot({
      path: join(SCREENSHOT_DIR, 'e2e-csp-browser-mode.png'),
      fullPage: true,
    });
  });
});
