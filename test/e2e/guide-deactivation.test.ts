import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { endpoints } from '../../shared/protocol';
import { serveRenderer } from '../../scripts/start-terminal';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { callRoute } from '../support/api';
import { removeDataDir, startHub, type HubProcess } from '../support/hub-process';
import { sharedRendererBuild } from './support/shared-builds';
import { launchChromium, SCREENSHOT_DIR } from './support/chromium';

/*
 * Issue #13 item 4 in a real browser against a real hub: IT deactivates the guide at the counter
 * (she is signed out to the sign-in screen, her tile gone), and a guide deactivated while her PIN
 * pad is open is refused with a clear message.
 */

let hub: HubProcess;
let store: StoreFixture;
let rendererDir: string;
let server: { url: string; stop(): Promise<void> };
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;

beforeAll(async () => {
  hub = await startHub();
  store = await createStoreFixture(hub, { name: '上海徐汇店' });
  rendererDir = await sharedRendererBuild();
  server = await serveRenderer({
    dir: rendererDir,
    hubUrl: hub.url,
    proxyHub: true,
    token: store.terminals[0]!.token,
  });
  browser = await launchChromium();
  page = await browser.context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await hub?.stop();
  if (hub) removeDataDir(hub);
});

async function admin(action: 'deactivate' | 'reactivate', guideId: string) {
  const endpoint =
    action === 'deactivate' ? endpoints.adminDeactivateGuide : endpoints.adminReactivateGuide;
  const r = await callRoute(hub, endpoint, { params: { id: guideId } });
  expect(r.status).toBe(200);
}

/** The guide's `active` flag in the terminal's own IndexedDB (what offline sign-in checks). */
function localActive(guideId: string): Promise<boolean | null> {
  return page.evaluate(async (id) => {
    const names = (await indexedDB.databases()).map((d) => d.name ?? '');
    const name = names.find((n) => n.startsWith('shopguide-terminal-'));
    if (!name) return null;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open(name);
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    try {
      const row = await new Promise<{ active: boolean } | undefined>((resolve, reject) => {
        const get = db.transaction('staff').objectStore('staff').get(id);
        get.onsuccess = () => resolve(get.result as { active: boolean } | undefined);
        get.onerror = () => reject(get.error);
      });
      return row ? row.active : null;
    } finally {
      db.close();
    }
  }, guideId);
}

/** A PIN check is scrypt by design (≈ 0.2–0.4 s of CPU; docs/privacy.md, "PINs"). */
const PIN_CHECK = { timeout: 10_000 };

async function typePin(pin: string) {
  await page.keyboard.type(pin, { delay: 80 });
  await page.keyboard.press('Enter', { delay: 80 });
}

describe('guide lifecycle at the counter', () => {
  it('signs out a guide IT deactivates, and drops her tile', async () => {
    await page.goto(server.url);
    await page.getByRole('heading', { name: '请选择你的名字' }).waitFor({ timeout: 60_000 });
    await expect
      .poll(() => page.getByRole('status', { name: 'hub status' }).textContent())
      .toBe('已连接');
    await page.getByRole('button', { name: store.guide.name }).click();
    await typePin(store.guide.pin);
    await expect
      .poll(() => page.getByText(`当前导购：${store.guide.name}`).count(), PIN_CHECK)
      .toBe(1);

    await admin('deactivate', store.guide.id);
    await page.getByRole('heading', { name: '请选择你的名字' }).waitFor({ timeout: 15_000 });
    expect(await page.getByText(`当前导购：${store.guide.name}`).count()).toBe(0);
    expect(await page.getByRole('button', { name: store.guide.name }).count()).toBe(0);
    expect(await page.getByRole('button', { name: store.guide2.name }).count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'guide-deactivated-signed-out.png') });
  });

  it('refuses a guide deactivated while her PIN pad is open, with a clear message', async () => {
    await page.getByRole('button', { name: store.guide2.name }).click();
    await page.getByRole('heading', { name: `${store.guide2.name}，请输入 PIN 码` }).waitFor();
    await admin('deactivate', store.guide2.id);
    await expect.poll(() => localActive(store.guide2.id), { timeout: 15_000 }).toBe(false);
    await typePin(store.guide2.pin);
    await expect
      .poll(() => page.getByRole('alert').textContent(), PIN_CHECK)
      .toBe('该导购已停用，请联系店长');
    expect(await page.getByText(/当前导购/).count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'guide-deactivated-refused.png') });

    // Reactivated: her tile comes back and her PIN works again.
    await admin('reactivate', store.guide2.id);
    await page.getByRole('button', { name: '不是我，返回' }).click();
    await page.getByRole('button', { name: store.guide2.name }).click({ timeout: 15_000 });
    await typePin(store.guide2.pin);
    await expect
      .poll(() => page.getByText(`当前导购：${store.guide2.name}`).count(), PIN_CHECK)
      .toBe(1);
  });
});
