import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildCsp } from '../../shared/web/csp';
import { RENDERER_OUT, startTerminal, type Terminal } from '../../scripts/start-terminal';
import { endpoints } from '../../shared/protocol';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { routePath } from '../support/http';
import { removeDataDir, startHub, type HubProcess } from '../support/hub-process';
import { copyRendererBuild } from './support/shared-builds';
import { launchChromium, SCREENSHOT_DIR } from './support/chromium';

/*
 * `npm start` without the Electron binary: the terminal in browser mode against a real hub,
 * enrolled with a terminal token, talking to the hub through the same origin it was served from.
 */

let hub: HubProcess;
let store: StoreFixture;
let terminal: Terminal;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
const lines: string[] = [];

beforeAll(async () => {
  hub = await startHub();
  store = await createStoreFixture(hub);
  await copyRendererBuild(RENDERER_OUT);
  terminal = await startTerminal({
    hubUrl: hub.url,
    token: store.terminals[0]!.token,
    port: 0,
    log: (line) => lines.push(line),
  });
  browser = await launchChromium();
  page = await browser.context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await terminal?.stop();
  await hub?.stop();
  if (hub) removeDataDir(hub);
});

describe('terminal in browser mode (no Electron binary)', () => {
  it('says in one line that Electron is missing and where to open the terminal', () => {
    expect(terminal.mode).toBe('browser');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /Electron binary not installed.*browser mode.*open http:\/\/127\.0\.0\.1:\d+\//,
    );
    expect(lines[0]).toContain(terminal.url);
  });

  it('opens with the strict CSP and reaches the hub through its own origin', async () => {
    const response = await page.goto(terminal.url);
    expect(response!.headers()['content-security-policy']).toBe(buildCsp(null));
    await expect
      .poll(() => page.getByRole('status', { name: 'hub status' }).textContent())
      .toBe('已连接');
  });

  it('is enrolled: the token is stored and the hub recognises this terminal', async () => {
    const info = await page.evaluate(async (terminalPath) => {
      const token = await new Promise<string>((resolve, reject) => {
        const open = indexedDB.open('shopguide-platform');
        open.onsuccess = () => {
          const get = open.result
            .transaction('secrets')
            .objectStore('secrets')
            .get('terminalToken');
          get.onsuccess = () => resolve(get.result as string);
          get.onerror = () => reject(get.error);
        };
        open.onerror = () => reject(open.error);
      });
      const res = await fetch(terminalPath, {
        headers: { authorization: `Bearer ${token}` },
      });
      return {
        status: res.status,
        body: (await res.json()) as { terminalId: string; store: { id: string } },
      };
    }, routePath(endpoints.terminalInfo));
    expect(info.status).toBe(200);
    expect(info.body.terminalId).toBe(store.terminals[0]!.id);
    expect(info.body.store.id).toBe(store.storeId);
  });

  it('opens the realtime WebSocket to the hub through the same origin', async () => {
    const first = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(`ws://${location.host}/socket.io/?EIO=4&transport=websocket`);
          ws.onmessage = (e) => {
            ws.close();
            resolve(String(e.data));
          };
          ws.onerror = () => resolve('error');
        }),
    );
    // engine.io's open packet: "0{"sid":...}"
    expect(first).toMatch(/^0\{"sid":/);
    await page.screenshot({
      path: join(SCREENSHOT_DIR, 'e2e-browser-mode-enrolled.png'),
      fullPage: true,
    });
  });

  it('still opens every screen after its page server has gone (screen chunks read soon after start)', async () => {
    await page.goto(terminal.url);
    await page.getByRole('heading', { name: '请选择你的名字' }).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: store.guide.name }).click();
    await page.keyboard.type(store.guide.pin, { delay: 60 });
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByText(`当前导购：${store.guide.name}`).count(), { timeout: 15_000 })
      .toBe(1);
    // The shell reads every screen's chunk 1.5 s after it starts; then the network goes.
    await page.waitForTimeout(3_000);
    await terminal.stop();
    // A scanner or a quick guide types right after F2: nothing may be lost to the screen change.
    await page.keyboard.press('F2');
    await page.keyboard.type('5678');
    await page.getByRole('heading', { name: '查找顾客' }).waitFor({ timeout: 5_000 });
    expect(await page.getByRole('searchbox').inputValue()).toBe('5678');
    await page.keyboard.press('F3');
    await page.getByRole('heading', { name: '新建订单' }).waitFor({ timeout: 5_000 });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'e2e-browser-mode-offline-screens.png') });
  });
});
