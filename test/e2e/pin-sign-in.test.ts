import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { serveRenderer } from '../../scripts/start-terminal';
import { endpoints } from '../../shared/protocol';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { callRoute } from '../support/api';
import { removeDataDir, startHub, type HubProcess } from '../support/hub-process';
import { giveLegacyPin } from '../support/legacy-pin';
import { sharedRendererBuild } from './support/shared-builds';
import { launchChromium, SCREENSHOT_DIR } from './support/chromium';

/*
 * Issue #13 item 2 in a real browser against a real hub: a guide signs in with a 6-digit PIN
 * (checked by the hub), and a guide with a 4-digit PIN from before is taken to the PIN change —
 * rules, new PIN twice — and signed in once the hub has the new PIN.
 */

const LEGACY_PIN = '2345';
const NEW_PIN = '842519';

let firstHub: HubProcess;
let hub: HubProcess;
let store: StoreFixture;
let rendererDir: string;
let server: { url: string; stop(): Promise<void> };
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;

beforeAll(async () => {
  firstHub = await startHub();
  store = await createStoreFixture(firstHub, { name: '上海徐汇店' });
  hub = await giveLegacyPin(startHub, firstHub, store.guide2.id, LEGACY_PIN);
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
  if (firstHub) removeDataDir(firstHub);
});

async function typePin(pin: string) {
  await page.keyboard.type(pin, { delay: 60 });
  await page.keyboard.press('Enter', { delay: 60 });
}

describe('PIN sign-in at the counter', () => {
  it('signs a guide in with her 6-digit PIN, checked by the hub', async () => {
    await page.goto(server.url);
    await page.getByRole('heading', { name: '请选择你的名字' }).waitFor({ timeout: 60_000 });
    await expect
      .poll(() => page.getByRole('status', { name: 'hub status' }).textContent())
      .toBe('已连接');
    await page.getByRole('button', { name: store.guide.name }).click();
    await page.getByRole('heading', { name: `${store.guide.name}，请输入 PIN 码` }).waitFor();
    expect(store.guide.pin).toHaveLength(6);
    await typePin(store.guide.pin);
    await expect
      .poll(() => page.getByText(`当前导购：${store.guide.name}`).count(), { timeout: 15_000 })
      .toBe(1);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'pin-6-digit-signed-in.png') });
  });

  it('takes a guide with a 4-digit PIN to the PIN change, then signs her in with the new PIN', async () => {
    await page.getByRole('button', { name: '换人' }).click();
    await page.getByRole('button', { name: store.guide2.name }).click();
    await typePin(LEGACY_PIN);
    await page
      .getByRole('heading', { name: `${store.guide2.name}，请设置新的 PIN 码` })
      .waitFor({ timeout: 15_000 });
    const rules = await page.getByRole('region', { name: '新 PIN 码要求' }).textContent();
    expect(rules).toContain('6 到 8 位数字');
    // Nothing of the previous guide's session is on this screen.
    expect(await page.getByText(`当前导购：`).count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'pin-change-rules.png') });

    await typePin('123456');
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('新 PIN 码不能是连续数字');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'pin-change-weak.png') });
    await typePin(NEW_PIN);
    await page.getByRole('heading', { name: '请再输入一次新的 PIN 码' }).waitFor();
    await typePin(NEW_PIN);
    await expect
      .poll(() => page.getByText(`当前导购：${store.guide2.name}`).count(), { timeout: 20_000 })
      .toBe(1);

    // The hub has the new PIN, and no longer asks for a change.
    const check = await callRoute(
      hub,
      endpoints.signIn,
      { body: { guideId: store.guide2.id, pin: NEW_PIN } },
      { token: store.terminals[1]!.token },
    );
    expect(check.status).toBe(200);
    expect(check.body.pinChangeRequired).toBe(false);
    const old = await callRoute(
      hub,
      endpoints.signIn,
      { body: { guideId: store.guide2.id, pin: LEGACY_PIN } },
      { token: store.terminals[1]!.token },
    );
    expect(old.status).toBe(401);
  });
});
