import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { endpoints, type FollowUpItem, type StorePerformance } from '../../shared/protocol';
import { serveRenderer } from '../../scripts/start-terminal';
import { callRoute, hubApi, must } from '../support/api';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { startHub, TEST_ADMIN_KEY, type HubProcess } from '../support/hub-process';
import { freshPgliteDataDir } from '../support/pglite-template';
import { movableClock } from '../support/moved-clock';
import { unique } from '../support/seed';
import { sharedBuildDir, sharedConsoleBuild, sharedRendererBuild } from './support/shared-builds';
import { launchChromium, SCREENSHOT_DIR } from './support/chromium';
import { signIn as signInAt } from './support/sign-in';

/*
 * Issue #15's story end to end, in Chromium against a real hub process: a guide serves her own
 * customer, who leaves without buying (尺码缺货); the next day the follow-up is on 跟进; the
 * guide records 已联系 while the counter is offline, and it reaches the hub exactly once; the
 * member then buys online, and the credit shows on the manager's 导购业绩 and in head office's
 * benefit-sharing statement (web console, CSV). Screenshots: test-results/follow-up-story-*.png.
 *
 * The next day, without waiting for it: the visit's follow-up falls due at the start of the next
 * store-local day (server/follow-ups/due.ts). The hub reads the time from the system clock
 * (`new Date()`; no test hook), so it runs under libfaketime with its offset in a file
 * (`movableClock`): level with this process on day 1, moved a day on while it keeps running, as
 * a hub that serves day and night sees the date change (cheaper than a restart on a loaded
 * machine, and nearer the real thing). The counter's Chromium is closed and started again the
 * next morning on the same profile (its IndexedDB: the enrolment, the synced task) a day on
 * under libfaketime too. Not Playwright's `page.clock`: its fake `Date` breaks subclasses of
 * Date (`TZDate`), and the dashboard then took the machine's UTC date for "today" instead of
 * the store's. Hub and browser run a day ahead of this process's clock, so they agree (the hub
 * refuses outcomes dated ahead of its own clock), and every time this test computes for day 2 is
 * `Date.now() + DAY`. 24 h on is past the next store-local midnight whatever the time of day
 * the run starts.
 */

const DAY = 86_400_000;
const MEMBER = '林小雨';
const DRESS = { sku: 'DRS-015-M', name: '真丝连衣裙', price: 129_900 };

let hub: HubProcess;
const hubClock = movableClock();
let dataDir: string;
let consoleDir: string;
let rendererDir: string;
let store: StoreFixture;
let memberId: string;
let profileDir: string;
let server: { url: string; stop(): Promise<void> };
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
const errors: string[] = [];

const shot = (p: Page, name: string) =>
  p.screenshot({ path: join(SCREENSHOT_DIR, `follow-up-story-${name}.png`), fullPage: true });
/** The store-local calendar date of an instant. */
const storeDate = (at: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: store.timezone }).format(new Date(at));
const terminalApi = () => hubApi(hub, { token: store.terminals[0]!.token });

/** A PIN check is scrypt by design (≈ 0.2–0.4 s of CPU; docs/privacy.md, "PINs"). */
const PIN_CHECK = { timeout: 15_000 };

const signIn = (name: string, pin: string) =>
  signInAt(page, name, pin, { waitForPicker: true, timeoutMs: PIN_CHECK.timeout });

const hubStatus = () => page.getByRole('status', { name: 'hub status' }).textContent();
const pending = () => page.getByTestId('pending-count').textContent();
const nav = (name: string) =>
  page.getByRole('navigation', { name: '主导航' }).getByRole('button', { name }).click();

/** The hub's clock, as its HTTP answers' Date header gives it (to the second). */
async function hubDate(): Promise<number> {
  const answer = await fetch(`${hub.url}/console/`);
  await answer.arrayBuffer();
  return Date.parse(answer.headers.get('date') ?? '');
}

/** The store's open follow-up tasks, as a terminal syncing from scratch gets them. */
async function openTasks(): Promise<FollowUpItem[]> {
  const feed = await must(
    terminalApi().call(endpoints.syncFollowUps, {
      query: { after: '0', limit: 100, withTotal: false },
    }),
  );
  return feed.items as FollowUpItem[];
}

/** 导购业绩 of the store for one store-local day, as the hub answers the dashboard. */
async function performanceOn(date: string): Promise<StorePerformance> {
  const stats = await must(
    terminalApi().call(endpoints.storeStats, {
      params: { storeId: store.storeId },
      query: { date },
    }),
  );
  const performance = 'performance' in stats ? stats.performance : undefined;
  if (!performance) throw new Error('no 导购业绩 in the stats answer');
  return performance;
}

beforeAll(async () => {
  // a PGlite cluster copied from the test template, not made by initdb (pglite-template.ts)
  dataDir = await freshPgliteDataDir('sg-story-hub-');
  profileDir = mkdtempSync(join(tmpdir(), 'sg-story-chromium-'));
  // The builds, the hub and Chromium start side by side (the hub reads the console's files
  // per request, so it may start before they are built).
  consoleDir = sharedBuildDir('console');
  const built = Promise.all([sharedConsoleBuild(), sharedRendererBuild()]);
  const counter = openCounter();
  hub = await startHub({ dataDir, env: { HUB_CONSOLE_DIR: consoleDir, ...hubClock.env } });
  store = await createStoreFixture(hub, { name: '上海静安店' });
  await must(
    hubApi(hub).call(endpoints.importProducts, {
      body: {
        products: [
          {
            sku: DRESS.sku,
            barcode: '6900000001502',
            name: DRESS.name,
            category: '连衣裙',
            price: DRESS.price,
            stock: { [store.storeId]: 0 },
          },
        ],
      },
    }),
  );
  // Registered by the guide at this counter: her customer (专属导购, the default binding rules).
  const { customer } = await must(
    terminalApi().call(endpoints.registerCustomer, {
      body: {
        id: newId(),
        name: MEMBER,
        phone: `137${unique().padStart(8, '0').slice(-8)}`,
        guideId: store.guide.id,
        sizes: { dress: 'M' },
      },
    }),
  );
  memberId = customer.id;
  [, rendererDir] = await built;
  server = await serveRenderer({
    dir: rendererDir,
    hubUrl: hub.url,
    proxyHub: true,
    token: store.terminals[0]!.token,
  });
  await counter;
});

/** The counter's browser on its own profile (kept across a restart), a day on if `ahead`. */
async function openCounter(ahead = 0) {
  browser = await launchChromium({ profileDir, clockAheadMs: ahead });
  page = await browser.context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setViewportSize({ width: 1280, height: 900 });
}

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await hub?.stop();
  for (const dir of [dataDir, profileDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  hubClock.remove();
});

describe('a customer who left without buying, followed up, buys online: credited', () => {
  it('day 1: the guide signs in, her customer walks in, she claims her, records why she left', async () => {
    await page.goto(server.url);
    await signIn(store.guide.name, store.guide.pin);
    await expect.poll(hubStatus, { timeout: 30_000 }).toBe('已连接');

    const arrived = await callRoute(hub, endpoints.presence, {
      body: { customer: { customerId: memberId }, storeId: store.storeId, source: 'wifi' },
    });
    expect(arrived.status).toBe(202);
    const card = page.getByRole('article', { name: MEMBER });
    await card.waitFor({ timeout: 10_000 });
    await card.getByText('你的顾客').waitFor();
    await shot(page, '01-arrival');

    await card.getByRole('button', { name: '我来接待' }).click();
    await card.getByText('你正在接待').waitFor({ timeout: 10_000 });
    // She tried the dress; no M in stock here. One tap for the reason.
    await card
      .getByRole('group', { name: '未购买离店？' })
      .getByRole('button', { name: '尺码缺货' })
      .click();
    await card.getByText('已记录未购买原因：尺码缺货').waitFor();
    await expect.poll(pending, { timeout: 15_000 }).toBe('已全部上传');
    await shot(page, '02-no-purchase-reason');

    // The hub made the follow-up at once, for her guide, due at the next store-local midnight.
    const [task, ...more] = await openTasks();
    expect(more).toEqual([]);
    expect(task).toMatchObject({
      kind: 'visit_no_purchase',
      customerId: memberId,
      guideId: store.guide.id,
      detail: { reason: 'size_missing' },
      status: 'open',
    });
    expect(Date.parse(task!.dueAt)).toBeGreaterThan(Date.now());
    expect(Date.parse(task!.dueAt)).toBeLessThanOrEqual(Date.now() + DAY);
    // Not due today: 跟进 has nothing yet.
    await nav('跟进');
    await page.getByText('今天没有要跟进的顾客。').waitFor({ timeout: 10_000 });
    await shot(page, '03-follow-ups-day-1');
  });

  it('day 2 (hub and terminal a day on): the follow-up is due on her 跟进 tab', async () => {
    // Midnight passes at the hub (see the top): its clock a day on while it keeps running.
    hubClock.setAhead(DAY);
    await expect.poll(hubDate, { timeout: 10_000 }).toBeGreaterThan(Date.now() + DAY - 60_000);
    // The counter the next morning: its browser started again, a day on (checked at launch).
    await browser.close();
    await openCounter(DAY);
    await page.goto(server.url);
    await signIn(store.guide.name, store.guide.pin);
    await expect.poll(hubStatus, { timeout: 30_000 }).toBe('已连接');

    await nav('跟进');
    const mine = page.getByRole('list', { name: '我的顾客' });
    const card = mine.getByRole('article', { name: MEMBER });
    await card.waitFor({ timeout: 15_000 });
    expect(await card.textContent()).toContain('到店未购买：尺码缺货');
    expect(await card.textContent()).toContain('今日');
    await shot(page, '04-follow-up-due-day-2');
  });

  it('offline, she records 已联系; back online it reaches the hub exactly once', async () => {
    const [task] = await openTasks();
    await browser.context.setOffline(true);
    const card = page.getByRole('article', { name: MEMBER });
    await card.getByRole('button', { name: '记录结果' }).click();
    await card
      .getByRole('radiogroup', { name: `${MEMBER} 的跟进结果` })
      .getByRole('radio', { name: '已联系' })
      .click();
    await card.getByLabel('备注（可选）').fill('周末到货后来试 M 码');
    await shot(page, '05-outcome-form-offline');
    await card.getByRole('button', { name: '保存' }).click();
    // Done here: it leaves the list at once and waits in the outbox.
    await page.getByText('今天没有要跟进的顾客。').waitFor({ timeout: 10_000 });
    await page.getByText('已记录，联网后同步到总部').waitFor();
    await expect.poll(pending, { timeout: 10_000 }).toMatch(/^待上传 1 条/);
    await shot(page, '06-offline-pending');
    expect((await openTasks()).map((t) => t.id)).toEqual([task!.id]);

    await browser.context.setOffline(false);
    await expect.poll(pending, { timeout: 60_000 }).toBe('已全部上传');
    expect(await openTasks()).toEqual([]);
    // One outcome on the hub, hers: 导购业绩 counts it once, for her only.
    const perf = await performanceOn(storeDate(Date.now() + DAY));
    const done = Object.fromEntries(perf.guides.map((g) => [g.name, g.followUpsDone]));
    expect(done).toEqual({
      [store.guide.name]: 1,
      [store.guide2.name]: 0,
      [store.manager.name]: 0,
    });
    // A second outcome for the closed task (another counter, say) is a duplicate.
    const again = await must(
      terminalApi().call(endpoints.postFollowUpOutcomes, {
        body: {
          outcomes: [
            {
              id: newId(),
              taskId: task!.id,
              guideId: store.manager.id,
              outcome: 'bought',
              at: new Date(Date.now() + DAY).toISOString(),
            },
          ],
        },
      }),
    );
    expect(again.results.map((r) => r.status)).toEqual(['duplicate']);
  });

  it('she buys online; the manager sees the credit on 导购业绩', async () => {
    const order = await must(
      hubApi(hub).call(endpoints.postOnlineOrders, {
        body: {
          orders: [
            {
              id: `WX-${unique()}`,
              customer: { customerId: memberId },
              channel: 'wechat_mini',
              at: new Date(Date.now() + DAY).toISOString(),
              amount: DRESS.price,
              lines: [{ sku: DRESS.sku, quantity: 1, unitPrice: DRESS.price }],
            },
          ],
        },
      }),
    );
    expect(order.results).toEqual([
      expect.objectContaining({
        status: 'accepted',
        credit: expect.objectContaining({
          rule: 'claimed_visit',
          storeId: store.storeId,
          guideId: store.guide.id,
          amount: DRESS.price,
        }),
      }),
    ]);

    await page.getByRole('button', { name: '换人' }).click();
    await signIn(store.manager.name, store.manager.pin);
    await nav('看板');
    await page.getByRole('heading', { name: '门店经营看板' }).waitFor();
    const table = page.getByRole('table', { name: '导购业绩' });
    const row = table
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: store.guide.name, exact: true }) });
    await expect.poll(() => row.count(), { timeout: 20_000 }).toBe(1);
    // 专属顾客, 跟进完成, 跟进逾期, 到店成交, 门店销售, 线上分成, 业绩合计, 主要未购原因 (today:
    // the reason was recorded yesterday).
    expect(await row.getByRole('cell').allTextContents()).toEqual([
      '1',
      '1',
      '0',
      '0',
      '¥0.00',
      '¥1,299.00',
      '¥1,299.00',
      '—',
    ]);
    expect(await page.getByText('线上订单归属本店 ¥1,299.00').count()).toBe(1);
    await shot(page, '07-manager-guide-performance');
  });

  it('head office’s console in Chromium: the statement line and its CSV', async () => {
    const consolePage = await browser.context.newPage();
    consolePage.on('pageerror', (e) => errors.push(e.message));
    await consolePage.setViewportSize({ width: 1440, height: 1000 });
    await consolePage.goto(`${hub.url}/console/`);
    await consolePage.getByRole('heading', { name: '总部登录' }).waitFor();
    await consolePage.getByLabel('管理密钥').fill(TEST_ADMIN_KEY);
    await consolePage.getByRole('button', { name: '登录' }).click();
    const [from, to] = [storeDate(Date.now()), storeDate(Date.now() + DAY)];
    await consolePage.getByRole('button', { name: '自定义' }).click();
    await consolePage.getByLabel('开始').fill(from);
    await consolePage.getByLabel('结束').fill(to);
    await consolePage.getByRole('button', { name: '查询' }).click();
    await consolePage.getByRole('button', { name: '分成结算单' }).click();

    const line = consolePage
      .getByRole('table', { name: '线上销售分成结算单' })
      .getByRole('row')
      .filter({ has: consolePage.getByRole('rowheader', { name: store.name, exact: true }) })
      .first();
    await line.waitFor({ timeout: 15_000 });
    // guide, sales, sales amount, refunds, refunds amount, net
    expect(await line.getByRole('cell').allTextContents()).toEqual([
      store.guide.name,
      '1',
      '¥1,299.00',
      '0',
      '¥0.00',
      '¥1,299.00',
    ]);
    await consolePage.screenshot({
      path: join(SCREENSHOT_DIR, 'follow-up-story-08-console-statement.png'),
      fullPage: true,
    });

    const [csv] = await Promise.all([
      consolePage.waitForEvent('download'),
      consolePage.getByRole('button', { name: '下载 CSV（Excel）' }).click(),
    ]);
    expect(csv.suggestedFilename()).toBe(`credit-statement-${from}-${to}.csv`);
    const lines = readFileSync((await csv.path())!, 'utf8')
      .slice(1)
      .trimEnd()
      .split('\r\n');
    // The header and her line: the store, the guide, 1 sale of 1299.00, no refund, credited by
    // the claimed-visit rule.
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(
      [
        from,
        to,
        store.storeId,
        store.name,
        store.timezone,
        store.guide.id,
        store.guide.name,
        '1',
        '1299.00',
        '0',
        '0.00',
        '1299.00',
        '1299.00',
        '0.00',
        '0.00',
      ]
        .map((cell) => `"${cell}"`)
        .join(','),
    );
    expect(errors).toEqual([]);
  });
});
