import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, SCREENSHOT_DIR } from './support/chromium';
import { servePreview, type PreviewServer } from './support/preview-server';

/**
 * The store manager's dashboard in Chromium on demo figures (renderer/dashboard/dashboard-preview):
 * every KPI tile is found by its name, the charts draw, and screenshots are saved for a person to
 * look at (test-results/dashboard.png, dashboard-range.png). The figures-from-real-orders path is
 * the shell's end-to-end test; this one is about what the manager sees.
 */
describe('dashboard in Chromium', () => {
  let preview: PreviewServer;
  beforeAll(async () => {
    preview = await servePreview('dashboard-preview.tsx');
  });
  afterAll(() => preview?.close());

  it('shows every KPI with its figure and change, the charts, and this terminal’s unsynced orders', async () => {
    const { context, close } = await launchChromium();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.setViewportSize({ width: 1440, height: 1000 });
      await page.goto(`${preview.url}/`);
      await page.getByRole('group', { name: '订单数', exact: true }).getByText(/^\d/).waitFor();
      for (const name of [
        '客流',
        '识别到店',
        '到店提醒',
        '已认领',
        '成交到店',
        '订单数',
        '件数',
        '销售额',
        '转化率',
        '识别转化率',
        '客单价',
        '连带率',
        '客流产值',
        '退款',
        '净销售额',
        '退货率',
      ]) {
        const tile = page.getByRole('group', { name, exact: true });
        await expect(tile.getByTestId('kpi-value').textContent()).resolves.toMatch(/^[¥\d]/);
        await expect(tile.getByLabel(/较上周同期/).textContent()).resolves.toMatch(/[▲▼±]/);
      }
      await expect(
        page
          .getByRole('group', { name: '订单数', exact: true })
          .getByTestId('kpi-value')
          .textContent(),
      ).resolves.toBe('98');
      await expect(page.getByRole('note').textContent()).resolves.toContain(
        '本机未同步订单 2 笔 ¥1,898.00',
      );
      await page
        .getByRole('region', { name: '分时段客流与成交' })
        .locator('canvas')
        .first()
        .waitFor();
      // 导购业绩: a row per guide, best credited total first
      const perf = page.getByRole('table', { name: '导购业绩' });
      await expect(perf.getByRole('rowheader').allTextContents()).resolves.toHaveLength(5);
      await expect(perf.getByRole('columnheader').allTextContents()).resolves.toContain('线上分成');
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard.png'), fullPage: true });
      // A 1280 px screen: the after-sale row (退款 · 净销售额 · 退货率) stays on one line of tiles.
      await page.setViewportSize({ width: 1280, height: 1000 });
      const tops = await Promise.all(
        ['退款', '净销售额', '退货率'].map(async (name) =>
          Math.round((await page.getByRole('group', { name, exact: true }).boundingBox())!.y),
        ),
      );
      expect(new Set(tops).size).toBe(1);
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard-1280.png'), fullPage: true });
      await page.setViewportSize({ width: 1440, height: 1000 });

      await page.getByRole('button', { name: '近 30 天' }).click();
      await page.getByRole('region', { name: '每日趋势' }).locator('canvas').first().waitFor();
      await expect(
        page
          .getByRole('group', { name: '客流', exact: true })
          .getByTestId('kpi-value')
          .textContent(),
      ).resolves.toBe('12,541');
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard-range.png'), fullPage: true });

      // The hub goes away: the figures stay, marked with the time they are from.
      await page.evaluate(() =>
        (window as unknown as { dashboardDemo: { goOffline(): void } }).dashboardDemo.goOffline(),
      );
      await page.getByRole('button', { name: '今天' }).click();
      await page.getByRole('button', { name: '刷新' }).click();
      await page.getByRole('status').getByText('离线 · 显示 11月21日 21:40 的数据').waitFor();
      await expect(
        page
          .getByRole('group', { name: '订单数', exact: true })
          .getByTestId('kpi-value')
          .textContent(),
      ).resolves.toBe('98');
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard-offline.png') });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
