import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, SCREENSHOT_DIR } from './support/chromium';
import { servePreview, type PreviewServer } from './support/preview-server';

/**
 * 发送推荐 (#15 item 4) in Chromium on demo data (renderer/testing/outreach-preview.tsx): the
 * picks in her size, the message, a QR code per pick drawn and decodable-sized, the closed screen
 * for a member who has not agreed, the 360's consent line. Screenshots for a person to look at:
 * test-results/outreach.png, outreach-blocked.png, outreach-360.png.
 */
describe('outreach in Chromium', () => {
  let preview: PreviewServer;
  beforeAll(async () => {
    preview = await servePreview('outreach-preview.tsx');
  });
  afterAll(() => preview?.close());

  it('shows the picks, the message and a QR code per pick; closed without consent; the 360 says who agreed', async () => {
    const { context, close } = await launchChromium();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.setViewportSize({ width: 1280, height: 860 });

      await page.goto(`${preview.url}/?view=outreach`);
      const codes = page.getByRole('img', { name: /的小程序码$/ });
      await codes.first().waitFor();
      expect(await codes.count()).toBe(3);
      // Drawn: the SVG image decoded at its size (a broken data URL has no natural width).
      const width = await codes.first().evaluate((img) => (img as HTMLImageElement).naturalWidth);
      expect(width).toBeGreaterThan(0);
      const text = await page.getByRole('textbox', { name: '推荐文字' }).inputValue();
      expect(text.split('\n')[0]).toBe(
        '周女士您好！我是上海静安店的导购王芳，给您挑了几件您关注过的款，本店都有货：',
      );
      expect(text).toContain('真丝连衣裙 红色（M）¥899.00');
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'outreach.png'), fullPage: true });

      await page.goto(`${preview.url}/?view=blocked`);
      await page.getByRole('alert').getByText('该会员未同意接收营销信息').waitFor();
      expect(await page.getByRole('button', { name: '复制文字' }).isDisabled()).toBe(true);
      await page.getByRole('button', { name: '营销授权' }).click();
      await page.getByRole('dialog', { name: '营销授权 · 陈静' }).waitFor();
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'outreach-blocked.png'), fullPage: true });

      await page.goto(`${preview.url}/?view=360`);
      await page.getByText('已同意接收营销信息（2026年11月20日 14:30）').waitFor();
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'outreach-360.png') });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
