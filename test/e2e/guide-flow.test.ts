import { join } from 'node:path';
import type { Page } from 'playwright-core';
import {
  endpoints,
  type CustomerFeedItem,
  type DayStats,
  type EndpointDef,
} from '../../shared/protocol';
import { serveRenderer } from '../../scripts/start-terminal';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { callRoute, type RouteInput } from '../support/api';
import { removeDataDir, restartHub, startHub, type HubProcess } from '../support/hub-process';
import { sharedRendererBuild } from './support/shared-builds';
import { launchChromium, SCREENSHOT_DIR } from './support/chromium';
import { signIn as signInAt } from './support/sign-in';

/*
 * A shop guide's day in a real browser against a real hub: connect the terminal, first sync, sign
 * in, a member walks in, claim, (customer 360 and orders), offline and back. A second terminal of
 * the same store sees the claim.
 */

let hub: HubProcess;
let store: StoreFixture;
let rendererDir: string;
const servers: { url: string; stop(): Promise<void> }[] = [];
const browsers: Awaited<ReturnType<typeof launchChromium>>[] = [];
let page: Page;
let page2: Page;

const shot = (p: Page, name: string) =>
  p.screenshot({ path: join(SCREENSHOT_DIR, `guide-flow-${name}.png`), fullPage: true });

async function integration<E extends EndpointDef>(endpoint: E, input: RouteInput<E>) {
  const r = await callRoute(hub, endpoint, input);
  expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
  const { results } = r.body as { results?: { status: string; reason?: string }[] };
  for (const item of results ?? []) expect(item.status, item.reason).toBe('accepted');
}

beforeAll(async () => {
  hub = await startHub();
  store = await createStoreFixture(hub, { name: '上海静安店' });
  await integration(endpoints.importProducts, {
    body: {
      products: [
        {
          sku: 'DRS-001-M',
          barcode: '6900000000017',
          name: '真丝连衣裙',
          category: '连衣裙',
          price: 129_900,
          stock: { [store.storeId]: 3 },
        },
        {
          sku: 'KNT-002-S',
          barcode: '6900000000024',
          name: '羊绒针织衫',
          category: '针织衫',
          price: 89_900,
          stock: { [store.storeId]: 5 },
        },
      ],
    },
  });
  await integration(endpoints.importCustomers, {
    body: {
      customers: [
        {
          crmId: 'crm-e2e-1',
          name: '陈静',
          phone: '13912345678',
          memberCode: 'E2E00001',
          // homed at this store: its terminals' store-scoped feed carries her
          homeStoreId: store.storeId,
          tier: 'gold',
          sizes: { dress: 'M', top: 'S' },
          favouriteCategories: ['连衣裙'],
        },
      ],
    },
  });
  await integration(endpoints.onlineEvents, {
    body: {
      events: [
        {
          id: 'e2e-ev-1',
          customer: { crmId: 'crm-e2e-1' },
          type: 'wishlisted',
          sku: 'DRS-001-M',
          channel: 'app',
          at: new Date(Date.now() - 3_600_000).toISOString(),
        },
      ],
    },
  });
  rendererDir = await sharedRendererBuild();
  // Terminal 1 is connected by hand (token typed); terminal 2 is pre-seeded by IT.
  servers.push(await serveRenderer({ dir: rendererDir, hubUrl: hub.url, proxyHub: true }));
  servers.push(
    await serveRenderer({
      dir: rendererDir,
      hubUrl: hub.url,
      proxyHub: true,
      token: store.terminals[1]!.token,
    }),
  );
  browsers.push(await launchChromium(), await launchChromium());
  page = await browsers[0]!.context.newPage();
  page2 = await browsers[1]!.context.newPage();
});

afterAll(async () => {
  for (const b of browsers) await b.close();
  for (const s of servers) await s.stop();
  await hub?.stop();
  if (hub) removeDataDir(hub);
});

/** Today's orders at the store, as the hub counts them. */
async function hubOrders(): Promise<{ orders: number; revenue: number }> {
  const date = new Intl.DateTimeFormat('en-CA', { timeZone: store.timezone }).format(new Date());
  const r = await callRoute(
    hub,
    endpoints.storeStats,
    { params: { storeId: store.storeId }, query: { date } },
    { token: store.terminals[0]!.token },
  );
  expect(r.status).toBe(200);
  const day = r.body as DayStats;
  return { orders: day.orders, revenue: day.revenue };
}

const pendingText = (p: Page) => p.getByTestId('pending-count').textContent();

async function orderOneKnit(p: Page) {
  await p.keyboard.press('F3');
  await p.getByRole('heading', { name: '新建订单' }).waitFor();
  await p.getByLabel('扫码或输入 SKU / 条码 / 商品名').fill('KNT-002-S');
  await p.getByRole('button', { name: '添加', exact: true }).click();
  await p.getByText('羊绒针织衫').first().waitFor();
  await p.getByRole('button', { name: '确认下单' }).click();
  await p.getByRole('button', { name: '打印小票' }).waitFor();
}

/** A PIN check is scrypt by design (≈ 0.2–0.4 s of CPU at the hub or here; docs/privacy.md, "PINs"). */
const signIn = (p: Page, name: string, pin: string) =>
  signInAt(p, name, pin, { timeoutMs: 10_000 });

describe('a shop guide at the counter', () => {
  it('connects the terminal with a wrong token first, then the right one', async () => {
    await page.goto(servers[0]!.url);
    await page.getByRole('heading', { name: '连接本终端' }).waitFor();
    await shot(page, '01-connect');
    await page.getByLabel('终端令牌').fill('not-a-real-token-0123456789');
    await page.getByRole('button', { name: '连接' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('令牌无效');
    await page.getByLabel('终端令牌').fill(store.terminals[0]!.token);
    await page.getByRole('button', { name: '连接' }).click();
  });

  it('runs the first sync, then shows the guides of this store', async () => {
    await page.getByRole('heading', { name: '请选择你的名字' }).waitFor({ timeout: 60_000 });
    await shot(page, '02-sign-in');
    for (const name of [store.guide.name, store.guide2.name, store.manager.name])
      expect(await page.getByRole('button', { name }).count()).toBe(1);
    await expect
      .poll(() => page.getByRole('status', { name: 'hub status' }).textContent())
      .toBe('已连接');
  });

  it('signs a guide in with her PIN (a wrong PIN is refused)', async () => {
    await page.getByRole('button', { name: store.guide.name }).click();
    // At a person's pace (a burst faster than 50 ms a key would look like a scanner).
    await page.keyboard.type('0000', { delay: 80 });
    await page.keyboard.press('Enter', { delay: 80 });
    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 })
      .toContain('PIN 码不对');
    await shot(page, '03-pin-wrong');
    await page.getByRole('button', { name: '不是我，返回' }).click();
    await signIn(page, store.guide.name, store.guide.pin);
    await page.getByRole('heading', { name: '到店顾客' }).waitFor();
    await shot(page, '04-arrivals-empty');
  });

  it('shows a member who walks in as an arrival within a second, on both terminals', async () => {
    await page2.goto(servers[1]!.url);
    await page2.getByRole('heading', { name: '请选择你的名字' }).waitFor({ timeout: 60_000 });
    await signIn(page2, store.guide2.name, store.guide2.pin);
    await expect
      .poll(() => page2.getByRole('status', { name: 'hub status' }).textContent())
      .toBe('已连接');
    await expect
      .poll(() => page.getByRole('status', { name: 'hub status' }).textContent())
      .toBe('已连接');

    const r = await callRoute(hub, endpoints.presence, {
      body: { customer: { memberCode: 'E2E00001' }, storeId: store.storeId, source: 'wifi' },
    });
    expect(r.status).toBe(202);
    expect(r.body.alertId).not.toBeNull();
    const card = page.getByRole('article', { name: '陈静' });
    await card.waitFor({ timeout: 1_000 });
    expect(await card.textContent()).toContain('金卡');
    // The card shows the 尾号 only: terminals never hold the middle digits.
    expect(await card.textContent()).toContain('尾号 5678');
    expect(await card.textContent()).not.toContain('139');
    expect(await card.textContent()).toContain('真丝连衣裙');
    expect(await card.textContent()).toContain('本店有货 3');
    await page2.getByRole('article', { name: '陈静' }).waitFor({ timeout: 1_000 });
    await shot(page, '05-arrival');
  });

  it('claims the customer; the other terminal sees who has her and cannot claim', async () => {
    const card = page.getByRole('article', { name: '陈静' });
    await card.getByRole('button', { name: '我来接待' }).click();
    await card.getByText('你正在接待').waitFor();
    const other = page2.getByRole('article', { name: '陈静' });
    await other.getByText(`${store.guide.name} 正在接待`).waitFor({ timeout: 5_000 });
    expect(await other.getByRole('button', { name: '我来接待' }).count()).toBe(0);
    const alerts = await callRoute(hub, endpoints.alerts, {}, { token: store.terminals[0]!.token });
    expect(alerts.body.items[0]!.claimedBy?.guideId).toBe(store.guide.id);
    await shot(page, '06-claimed');
    await shot(page2, '07-claimed-other-terminal');
  });

  it('opens the 360 from the arrival, orders the wish-listed dress plus a scanned knit', async () => {
    await page
      .getByRole('article', { name: '陈静' })
      .getByRole('button', { name: '查看 陈静 的顾客档案' })
      .click();
    await page.getByRole('heading', { name: '陈静' }).waitFor();
    await shot(page, '09-customer-360');
    await page.getByRole('button', { name: '把 真丝连衣裙 加入订单' }).first().click();
    await page.getByRole('heading', { name: '新建订单' }).waitFor();
    await page.getByText('真丝连衣裙').first().waitFor();
    // The barcode scanner types the code as a burst and presses Enter.
    await page.keyboard.type('6900000000024', { delay: 5 });
    await page.keyboard.press('Enter');
    await page.getByText('羊绒针织衫').first().waitFor();
    await shot(page, '10-order');
    await page.getByRole('button', { name: '确认下单' }).click();
    await page.getByRole('button', { name: '打印小票' }).waitFor();
    await shot(page, '11-receipt');
    await expect.poll(hubOrders, { timeout: 10_000 }).toEqual({ orders: 1, revenue: 219_800 });
    await expect.poll(() => pendingText(page), { timeout: 5_000 }).toBe('已全部上传');
  });

  it('offline: three orders and a new member wait on the terminal, then reach the hub exactly once', async () => {
    await hub.stop();
    await expect
      .poll(() => page.getByRole('status', { name: 'hub status' }).textContent(), {
        timeout: 15_000,
      })
      .toBe('未连接');
    for (let i = 0; i < 3; i++) await orderOneKnit(page);
    await expect.poll(() => pendingText(page), { timeout: 5_000 }).toMatch(/^待上传 3 条/);

    // Offline, the counter still finds a member by her full number (尾号 + the phone tag, from
    // the cache) and by 尾号; her 360 shows the 尾号 only.
    await page.keyboard.press('F2');
    await page.getByRole('heading', { name: '查找顾客' }).waitFor();
    const search = page.getByLabel('搜索顾客');
    await search.fill('139 1234 5678');
    const found = page
      .getByRole('list', { name: '查询结果' })
      .getByRole('button', { name: /陈静/ });
    await found.waitFor({ timeout: 5_000 });
    expect(await page.getByRole('list', { name: '查询结果' }).getByRole('button').count()).toBe(1);
    expect(await found.textContent()).toContain('尾号 5678');
    await shot(page, '12a-offline-lookup-full-number');
    await search.fill('5678');
    await found.waitFor({ timeout: 5_000 });
    await search.fill('13912345678');
    await page.getByRole('status').filter({ hasText: '找到 1 位顾客' }).waitFor({ timeout: 5_000 });
    await found.click();
    await page.getByRole('heading', { name: '陈静', level: 1 }).waitFor();
    const profile = (await page.locator('main').textContent()) ?? '';
    expect(profile).toContain('尾号 5678');
    expect(profile).not.toMatch(/139\*|13912345678/);
    await shot(page, '12b-offline-profile-tail-only');

    await page.keyboard.press('F2');
    await page.getByRole('heading', { name: '查找顾客' }).waitFor();
    await page.getByLabel('搜索顾客').fill('13800001111');
    await page
      .getByRole('button', { name: /注册新会员/ })
      .first()
      .click();
    await page.getByRole('heading', { name: '注册会员' }).waitFor();
    await page.getByLabel('姓名').fill('周敏');
    const phone = page.getByLabel('手机号');
    if ((await phone.inputValue()) === '') await phone.fill('13800001111');
    await page.getByRole('button', { name: '保存并注册' }).click();
    await expect.poll(() => pendingText(page), { timeout: 5_000 }).toMatch(/^待上传 4 条/);
    await shot(page, '12-offline-pending');

    hub = await restartHub(hub);
    await expect.poll(() => pendingText(page), { timeout: 60_000 }).toBe('已全部上传');
    await expect
      .poll(() => page.getByRole('status', { name: 'hub status' }).textContent())
      .toBe('已连接');
    expect(await hubOrders()).toEqual({ orders: 4, revenue: 219_800 + 3 * 89_900 });
    const feed = await callRoute(
      hub,
      endpoints.syncCustomers,
      { query: { limit: 5000 } },
      { token: store.terminals[0]!.token },
    );
    const registered = (feed.body.items as CustomerFeedItem[]).filter(
      (c) => 'name' in c && c.name === '周敏',
    );
    expect(registered).toHaveLength(1);
    await page.getByRole('button', { name: '同步状态' }).click();
    await page.getByRole('heading', { name: '同步状态' }).waitFor();
    // The panel reads the outbox from IndexedDB after it opens ("loading…" until then).
    await page.getByText('没有等待上传的记录。').waitFor({ timeout: 5_000 });
    expect(await page.getByText('没有等待上传的记录。').count()).toBe(1);
    expect(await page.getByText('没有被退回的记录。').count()).toBe(1);
    await shot(page, '13-back-online');
  });

  it('Esc goes back from the sync panel; the arrivals tab still lists the served customer', async () => {
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('heading', { name: '同步状态' }).count()).toBe(0);
    await page
      .getByRole('navigation', { name: '主导航' })
      .getByRole('button', { name: '到店' })
      .click();
    await page.getByRole('heading', { name: '到店顾客' }).waitFor();
    await page.getByRole('article', { name: '陈静' }).waitFor();
    await shot(page, '14-arrivals-after');
  });

  it('after the sync, the 尾号 search lists the member registered offline, now confirmed', async () => {
    await page.keyboard.press('F2');
    await page.getByRole('heading', { name: '查找顾客' }).waitFor();
    await page.getByLabel('搜索顾客').fill('1111');
    const results = page.getByRole('list', { name: '查询结果' });
    const row = results.getByRole('button', { name: /周敏/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('尾号 1111');
    // The hub confirmed the registration: no "not synced yet" pill any more.
    expect(await row.getByText('待同步').count()).toBe(0);
    await shot(page, '14b-lookup-after-sync');
    await row.click();
    await page.getByRole('heading', { name: '周敏' }).waitFor();
  });

  it('换人 on a member’s 360 leaves nothing of her for the next guide, not even behind Back', async () => {
    // 周敏's 360 is open from the previous step.
    expect(await page.getByRole('heading', { name: '周敏' }).count()).toBe(1);
    const nav = page.getByRole('navigation', { name: '主导航' });
    expect(await nav.getByRole('button', { name: '看板' }).count()).toBe(0);
    const historyBefore = await page.evaluate(() => history.length);
    await page.getByRole('button', { name: '换人' }).click();
    await page.getByRole('heading', { name: '请选择你的名字' }).waitFor();
    expect(await page.locator('body').textContent()).not.toContain('周敏');
    await shot(page, '15a-switched');
    await signIn(page, store.manager.name, store.manager.pin);
    await page.getByRole('heading', { name: '到店顾客' }).waitFor();
    expect(await page.locator('body').textContent()).not.toContain('周敏');
    await page.keyboard.press('Escape');
    await page.keyboard.press('F2');
    await page.getByRole('heading', { name: '查找顾客' }).waitFor();
    expect(await page.getByLabel('搜索顾客').inputValue()).toBe('');
    await page.keyboard.press('Escape');
    await page.getByRole('heading', { name: '到店顾客' }).waitFor();
    await page.keyboard.press('Escape');
    expect(await page.getByRole('heading', { name: '到店顾客' }).count()).toBe(1);
    expect(await page.locator('body').textContent()).not.toContain('周敏');
    // No URL router: the browser's own history never held a screen.
    expect(await page.evaluate(() => history.length)).toBe(historyBefore);
    await shot(page, '15b-next-guide-home');
  });

  it("the store manager's dashboard counts the day's orders and the converted visit", async () => {
    const nav = page.getByRole('navigation', { name: '主导航' });
    await nav.getByRole('button', { name: '看板' }).click();
    await page.getByRole('heading', { name: '门店经营看板' }).waitFor();
    const tile = (name: string) =>
      page.getByRole('group', { name, exact: true }).getByTestId('kpi-value').textContent();
    // 1 order from the arrival + 3 taken offline; 陈静 walked in, was claimed and bought.
    await expect.poll(() => tile('订单数'), { timeout: 15_000 }).toBe('4');
    expect(await tile('识别到店')).toBe('1');
    expect(await tile('已认领')).toBe('1');
    expect(await tile('成交到店')).toBe('1');
    expect(await tile('销售额')).toBe('¥4,895.00');
    // The hourly chart is loaded on demand; wait for it to draw before the screenshot.
    await page
      .getByRole('region', { name: '分时段客流与成交' })
      .locator('canvas')
      .first()
      .waitFor();
    await shot(page, '16-dashboard');
  });

  it('a revoked terminal wipes its data and goes back to Connect with a clear message', async () => {
    const r = await callRoute(hub, endpoints.adminRevokeTerminal, {
      params: { id: store.terminals[1]!.id },
    });
    expect(r.status).toBeLessThan(300);
    await page2.getByText(/本终端已被总部停用，本地数据已清除/).waitFor({ timeout: 10_000 });
    await page2.getByRole('heading', { name: '连接本终端' }).waitFor();
    const left = await page2.evaluate(async () =>
      (await indexedDB.databases()).map((d) => d.name ?? ''),
    );
    expect(left.filter((name) => name.startsWith('shopguide-terminal-'))).toEqual([]);
    await shot(page2, '15-revoked');
  });
});
