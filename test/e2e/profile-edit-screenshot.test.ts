import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, SCREENSHOT_DIR } from './support/chromium';
import { servePreview, type PreviewServer } from './support/preview-server';

/**
 * 编辑资料 (#16 item 7) in Chromium on demo data (renderer/testing/profile-edit-preview.tsx): the
 * form opened from the 360, touch targets at least 44 px, a save shown on the 360 at once.
 * Screenshots for a person to look at: test-results/profile-edit.png, profile-edit-saved.png,
 * profile-edit-en.png.
 */
describe('profile edit in Chromium', () => {
  let preview: PreviewServer;
  beforeAll(async () => {
    preview = await servePreview('profile-edit-preview.tsx');
  });
  afterAll(() => preview?.close());

  it('opens the form from the 360, with big targets; a save shows on the 360 at once', async () => {
    const { context, close } = await launchChromium();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.setViewportSize({ width: 1280, height: 900 });

      await page.goto(`${preview.url}/`);
      await page.getByRole('button', { name: '编辑资料' }).click();
      const form = page.getByRole('dialog', { name: '编辑 周雪 的资料' });
      await form.waitFor();
      await form.getByRole('button', { name: '衬衫' }).click();
      await form.getByLabel('上装').fill('L');
      await form.getByLabel('新标签').fill('肩宽');
      await form.getByLabel('新标签').press('Enter');
      const heights = await form
        .locator('button, input')
        .evaluateAll((els) => els.map((el) => el.getBoundingClientRect().height));
      expect(Math.min(...heights)).toBeGreaterThanOrEqual(44);
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'profile-edit.png'), fullPage: true });

      await form.getByRole('button', { name: '保存' }).click();
      await form.waitFor({ state: 'detached' });
      await page.getByText('上装 L').waitFor();
      await page.getByText('连衣裙、大衣、衬衫').waitFor();
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'profile-edit-saved.png') });

      await page.goto(`${preview.url}/?lang=en`);
      await page.getByRole('button', { name: 'Edit profile' }).click();
      await page.getByRole('dialog', { name: "Edit 周雪's profile" }).waitFor();
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'profile-edit-en.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
