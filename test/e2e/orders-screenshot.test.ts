import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReceiptHtml } from '../../electron/main/services/receipt';
import { launchChromium, SCREENSHOT_DIR } from './support/chromium';
import { servePreview, type PreviewServer } from './support/preview-server';

/**
 * The order screen and the receipt in Chromium on demo data (renderer/testing/orders-preview.tsx):
 * two lines of one style read by colour and size, not by SKU code. Screenshots for a person to
 * look at: test-results/order-lines.png, receipt-lines.png, and the page the Electron side prints
 * (electron/main/services/receipt.ts) as receipt-printed.png.
 */
describe('order and receipt lines in Chromium', () => {
  let preview: PreviewServer;
  beforeAll(async () => {
    preview = await servePreview('orders-preview.tsx');
  });
  afterAll(() => preview?.close());

  it('shows each line as name, colour and size, the SKU small beneath', async () => {
    const { context, close } = await launchChromium();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.setViewportSize({ width: 1280, height: 860 });

      await page.goto(`${preview.url}/?view=order`);
      const lines = page.getByRole('table', { name: '订单商品' });
      await lines.getByRole('rowheader').first().waitFor();
      expect(await lines.getByRole('rowheader').allTextContents()).toEqual([
        'V领基础T恤 雾霾蓝 · XL SGTS05-BLU-XL · ¥199.00',
        'V领基础T恤 黑色 · M SGTS05-BLK-M · ¥199.00',
      ]);
      // The SKU is secondary: smaller than the name, and grey.
      const sku = lines.locator('small').first();
      const name = lines.getByText('V领基础T恤').first();
      const px = (s: string) => Number.parseFloat(s);
      const [skuSize, nameSize, skuColour] = await Promise.all([
        sku.evaluate((el) => getComputedStyle(el).fontSize),
        name.evaluate((el) => getComputedStyle(el).fontSize),
        sku.evaluate((el) => getComputedStyle(el).color),
      ]);
      expect(px(skuSize)).toBeLessThan(px(nameSize));
      expect(skuColour).toBe('rgb(119, 119, 119)');
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'order-lines.png'), fullPage: true });

      await page.goto(`${preview.url}/?view=receipt`);
      const receipt = page.getByRole('article');
      await receipt.getByText('雾霾蓝 · XL').waitFor();
      await receipt.getByText('黑色 · M').waitFor();
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'receipt-lines.png'), fullPage: true });
      expect(errors).toEqual([]);

      await page.setViewportSize({ width: 320, height: 600 });
      await page.setContent(
        renderReceiptHtml({
          orderId: '0193a6c2-7d3e-7c4b-9f00-0123456789ab',
          storeName: '上海静安店',
          guideName: '王芳',
          at: '2026-12-04T10:05:00Z',
          timezone: 'Asia/Shanghai',
          lines: [
            {
              name: 'V领基础T恤',
              sku: 'SGTS05-BLU-XL',
              colour: '雾霾蓝',
              size: 'XL',
              quantity: 1,
              unitPrice: 19_900,
              discount: 0,
            },
            {
              name: 'V领基础T恤',
              sku: 'SGTS05-BLK-M',
              colour: '黑色',
              size: 'M',
              quantity: 2,
              unitPrice: 19_900,
              discount: 2_000,
            },
          ],
          total: 57_700,
        }),
      );
      await page.getByText('V领基础T恤 雾霾蓝 · XL').waitFor();
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'receipt-printed.png'), fullPage: true });
    } finally {
      await close();
    }
  });
});
