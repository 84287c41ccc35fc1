import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, SCREENSHOT_DIR } from './support/chromium';
import { servePreview, type PreviewServer } from './support/preview-server';

/**
 * The search box's online fallback (issue #17 item 1) in Chromium on demo data
 * (renderer/testing/lookup-preview.tsx): a member not cached at this store is found at head
 * office, marked 从总部找到, and opens with Enter. Screenshots for a person to look at:
 * test-results/lookup-from-hub.png, lookup-from-hub-en.png.
 */
describe('lookup falls back to head office in Chromium', () => {
  let preview: PreviewServer;
  beforeAll(async () => {
    preview = await servePreview('lookup-preview.tsx');
  });
  afterAll(() => preview?.close());

  it('lists a member found at head office with the 从总部找到 marker', async () => {
    const { context, close } = await launchChromium();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.setViewportSize({ width: 1280, height: 800 });

      await page.goto(`${preview.url}/`);
      await page.getByRole('searchbox', { name: '搜索顾客' }).fill('2222 赵敏');
      await page.getByText('本店没有，从总部找到 1 位顾客').waitFor();
      const result = page.getByRole('list', { name: '查询结果' }).getByRole('button');
      expect(await result.textContent()).toContain('赵敏');
      expect(await result.textContent()).toContain('从总部找到');
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'lookup-from-hub.png') });

      await page.goto(`${preview.url}/?lang=en`);
      await page.getByRole('searchbox', { name: 'Search customers' }).fill('M9009');
      await page.getByText('Not cached here: head office found 1').waitFor();
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'lookup-from-hub-en.png') });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
