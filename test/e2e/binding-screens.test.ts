import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { newId } from '../../shared/domain/ids';
import { endpoints } from '../../shared/protocol';
import { serveRenderer } from '../../scripts/start-terminal';
import { hubApi, must } from '../support/api';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { removeDataDir, startHub, type HubProcess } from '../support/hub-process';
import { unique } from '../support/seed';
import { sharedRendererBuild } from './support/shared-builds';
import { launchChromium, SCREENSHOT_DIR } from './support/chromium';

/*
 * Issue #15 item 1 in a real browser against a real hub: two members walk in, one registered by
 * the guide at the counter (你的顾客), one by a colleague (李娜的顾客); the manager hands the
 * colleague's customer over from the 360 with the manager's PIN. Screenshots for a person to look at.
 */

let hub: HubProcess;
let store: StoreFixture;
let rendererDir: string;
let server: { url: string; stop(): Promise<void> };
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
const names = { mine: '林小雨', theirs: '周晓梅' };

beforeAll(async () => {
  hub = await startHub();
  store = await createStoreFixture(hub, { name: '上海静安店' });
  const api = hubApi(hub, { token: store.terminals[0]!.token });
  for (const [name, guideId] of [
    [names.mine, store.guide.id],
    [names.theirs, store.guide2.id],
  ] as const) {
    const { customer } = await must(
      api.call(endpoints.registerCustomer, {
        body: {
          id: newId(),
          name,
          phone: `136${unique().padStart(8, '0').slice(-8)}`,
          guideId,
          sizes: { top: 'M' },
        },
      }),
    );
    await must(
      hubApi(hub).call(endpoints.presence, {
        body: { customer: { customerId: customer.id }, storeId: store.storeId, source: 'wifi' },
      }),
    );
  }
  rendererDir = await sharedRendererBuild();
  server = await serveRenderer({
    dir: rendererDir,
    hubUrl: hub.url,
    proxyHub: true,
    token: store.terminals[0]!.token,
  });
  browser = await launchChromium();
  page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await hub?.stop();
  if (hub) removeDataDir(hub);
});

/** A PIN check is scrypt by design (≈ 0.2–0.4 s of CPU; docs/privacy.md, "PINs"). */
const PIN_CHECK = { timeout: 15_000 };

describe('whose customer, at the counter', () => {
  it('the arrival cards say 你的顾客 and 李娜的顾客; the manager hands 李娜’s customer over from the 360', async () => {
    await page.goto(server.url);
    await page.getByRole('heading', { name: '请选择你的名字' }).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: store.guide.name }).click();
    await page.keyboard.type(store.guide.pin, { delay: 80 });
    await page.keyboard.press('Enter', { delay: 80 });
    await expect
      .poll(() => page.getByText(`当前导购：${store.guide.name}`).count(), PIN_CHECK)
      .toBe(1);

    const card = (name: string) => page.getByRole('article', { name });
    await expect
      .poll(() => card(names.mine).getByText('你的顾客').count(), { timeout: 30_000 })
      .toBe(1);
    await expect
      .poll(() => card(names.theirs).getByText(`${store.guide2.name}的顾客`).count())
      .toBe(1);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'binding-arrivals.png'), fullPage: true });

    await card(names.theirs)
      .getByRole('button', { name: new RegExp(names.theirs) })
      .first()
      .click();
    await page.getByRole('heading', { name: names.theirs, level: 1 }).waitFor();
    await page.getByRole('button', { name: '转给其他导购' }).click();
    const dialog = page.getByRole('dialog', { name: '转交顾客' });
    await dialog.getByRole('combobox', { name: '转给' }).selectOption({ label: store.guide.name });
    await dialog.getByLabel('店长 PIN').pressSequentially(store.manager.pin, { delay: 80 });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'binding-transfer-dialog.png') });
    await dialog.getByRole('button', { name: '确认转交' }).click();
    await expect
      .poll(() => page.getByText(`已转给 ${store.guide.name}`).count(), PIN_CHECK)
      .toBe(1);
    await expect.poll(() => page.getByText('你的顾客').count(), { timeout: 15_000 }).toBe(1);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'binding-transferred-360.png') });
  });
});
