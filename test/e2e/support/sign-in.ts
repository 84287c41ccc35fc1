import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * Signs a guide in on the terminal's picker: their name, the PIN on the keypad, 登录, and waits
 * until the top bar names them. A PIN check is scrypt by design (≈ 0.2–0.4 s of CPU at the hub or
 * here, more on a loaded 2-core machine; docs/privacy.md, "PINs"), hence `timeoutMs`.
 * `waitForPicker`: first wait (up to 60 s) for the picker itself — the first sync may still run.
 */
export async function signIn(
  page: Page,
  name: string,
  pin: string,
  options: { waitForPicker?: boolean; timeoutMs?: number } = {},
): Promise<void> {
  if (options.waitForPicker)
    await page.getByRole('heading', { name: '请选择你的名字' }).waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name }).click();
  for (const digit of pin)
    await page
      .getByRole('group', { name: 'PIN 键盘' })
      .getByRole('button', { name: digit, exact: true })
      .click();
  await page.getByRole('button', { name: '登录' }).click();
  await expect
    .poll(() => page.getByText(`当前导购：${name}`).count(), {
      timeout: options.timeoutMs ?? 15_000,
    })
    .toBe(1);
}
