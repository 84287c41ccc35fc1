import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { newId } from '../../shared/domain/ids';
import { endpoints, type Order } from '../../shared/protocol';
import { serveRenderer } from '../../scripts/start-terminal';
import { hubApi, must } from '../support/api';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { removeDataDir, startHub, type HubProcess } from '../support/hub-process';
import { sharedRendererBuild } from './support/shared-builds';
import { launchChromium, SCREENSHOT_DIR } from './support/chromium';

/*
 * Issue #16 item 1 in a real browser against a real hub: a partial return from 今日订单 with the
 * store manager's PIN (above a ¥100 threshold), the list then says 部分退货, and another counter's
 * order opens with its QR code. Screenshots for a person to look at.
 */

let hub: HubProcess;
let store: StoreFixture;
let rendererDir: string;
let server: { url: string; stop(): Promise<void> };
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;

const sale = (terminal: number, lines: Order['lines']): Order => ({
  id: newId(),
  storeId: store.storeId,
  terminalId: store.terminals[terminal]!.id,
  guideId: store.guide.id,
  paymentMethod: 'wechat',
  createdAt: new Date().toISOString(),
  lines,
});

beforeAll(async () => {
  hub = await startHub();
  store = await createStoreFixture(hub, { name: '上海静安店' });
  await must(
    hubApi(hub).call(endpoints.importProducts, {
      body: {
        products: [
          {
            sku: 'COAT-M',
            name: '羊毛大衣',
            size: 'M',
            category: '外套',
            price: 129_900,
            stock: { [store.storeId]: 6 },
          },
          {
            sku: 'SCARF',
            name: '羊绒围巾',
            category: '配饰',
            price: 39_900,
            stock: { [store.storeId]: 9 },
          },
        ],
      },
    }),
  );
  await must(
    hubApi(hub).call(endpoints.adminSetReturnSettings, {
      body: { managerApprovalAboveFen: 10_000 },
    }),
  );
  for (const [terminal, lines] of [
    [1, [{ sku: 'SCARF', quantity: 1, unitPrice: 39_900, discount: 0 }]],
    [
      0,
      [
        { sku: 'COAT-M', quantity: 2, unitPrice: 129_900, discount: 9_900 },
        { sku: 'SCARF', quantity: 1, unitPrice: 39_900, discount: 0 },
      ],
    ],
  ] as const)
    await must(
      hubApi(hub, { token: store.terminals[terminal]!.token }).call(endpoints.postOrders, {
        body: { orders: [sale(terminal, [...lines])] },
      }),
    );
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

const PIN_CHECK = { timeout: 15_000 };

describe('after-sale at the counter', () => {
  it('a partial return with the manager’s PIN from 今日订单; another counter’s order shows its QR', async () => {
    await page.goto(server.url);
    await page.getByRole('heading', { name: '请选择你的名字' }).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: store.guide.name }).click();
    await page.keyboard.type(store.guide.pin, { delay: 80 });
    await page.keyboard.press('Enter', { delay: 80 });
    await expect
      .poll(() => page.getByText(`当前导购：${store.guide.name}`).count(), PIN_CHECK)
      .toBe(1);

    await page.getByRole('button', { name: '今日订单' }).click();
    await page.getByRole('button', { name: '售后', exact: true }).first().click();
    await page.getByRole('heading', { name: '售后' }).waitFor();
    await page.getByLabel('第 1 行 羊毛大衣 退回数量').fill('1');
    await page.getByLabel('原因（必选）').selectOption('size');
    await page.getByLabel('备注').fill('顾客试穿后觉得偏大');
    const approval = page.getByRole('group', { name: /需要店长输入 PIN 确认/ });
    await approval.getByRole('combobox').selectOption({ label: store.manager.name });
    await approval.getByLabel('店长 PIN').pressSequentially(store.manager.pin, { delay: 60 });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'after-sale-return.png'), fullPage: true });
    await approval.getByRole('button', { name: '店长确认' }).click();
    await expect
      .poll(() => page.getByText(`${store.manager.name} 已确认`).count(), PIN_CHECK)
      .toBe(1);
    await page.getByRole('button', { name: '确认退货退款' }).click();
    await page.getByText(/已记录，将通过同步送到总部/).waitFor();
    await page.getByRole('button', { name: '回到今日订单' }).click();
    await expect.poll(() => page.getByText('部分退货').count(), { timeout: 15_000 }).toBe(1);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'after-sale-today.png'), fullPage: true });

    await page.getByRole('button', { name: '全店' }).click();
    await expect.poll(() => page.getByRole('row').count(), { timeout: 15_000 }).toBe(3);
    await page.getByRole('button', { name: /查看 .* ¥399.00/ }).click();
    await page.getByRole('img', { name: '订单二维码（售后时扫描）' }).waitFor();
    await page.screenshot({
      path: join(SCREENSHOT_DIR, 'after-sale-receipt-qr.png'),
      fullPage: true,
    });
  });
});
