import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, SCREENSHOT_DIR } from './support/chromium';
import { servePreview, type PreviewServer } from './support/preview-server';

/**
 * The customer re-sync notice (issue #17: head office changed the sync scope, the terminal's
 * customer cache fills again) in Chromium, on the whole terminal (renderer/testing/
 * resync-preview.tsx): under the header, the screen below still usable. Screenshots for a person
 * to look at: test-results/resync-running.png, resync-running-en.png, resync-done.png.
 */
describe('re-sync notice in Chromium', () => {
  let preview: PreviewServer;
  beforeAll(async () => {
    preview = await servePreview('resync-preview.tsx');
  });
  afterAll(() => preview?.close());

  it('says why and how far while it runs, then that it finished; the terminal stays usable', async () => {
    const { context, close } = await launchChromium();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.setViewportSize({ width: 1280, height: 800 });

      await page.goto(`${preview.url}/`);
      const notice = page.getByRole('status', { name: '顾客资料重新同步' });
      await notice.waitFor();
      expect(await notice.textContent()).toBe(
        '正在重新同步顾客资料（总部已更改同步范围）… 12,000 / 48,000',
      );
      // Not blocking: the navigation below the notice still takes a click.
      await page.getByRole('button', { name: /查找/ }).click();
      await page.getByRole('searchbox', { name: '搜索顾客' }).waitFor();
      await page.goto(`${preview.url}/`);
      await notice.waitFor();
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'resync-running.png') });

      await page.goto(`${preview.url}/?lang=en`);
      await page.getByRole('status', { name: 'Customer re-sync' }).waitFor();
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'resync-running-en.png') });

      await page.goto(`${preview.url}/?phase=done`);
      await page.getByText('顾客资料已重新同步：共 5 位。').waitFor();
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'resync-done.png') });
      await page.getByRole('button', { name: '知道了' }).click();
      await notice.waitFor({ state: 'detached' });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
