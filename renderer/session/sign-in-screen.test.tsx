// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeHarness, renderWith, resetAppStore } from '../app/test-harness';
import { useAppStore } from '../app/store';
import { LOCK_MINUTES, MAX_FAILURES } from './lockout';
import { SignInScreen } from './sign-in-screen';

const GUIDES = [
  { name: '王芳', pin: '480613' },
  { name: '张伟', pin: '731586', role: 'manager' as const },
];

async function enterPin(user: ReturnType<typeof userEvent.setup>, pin: string) {
  const pad = screen.getByRole('group', { name: 'PIN 键盘' });
  for (const digit of pin)
    await user.click([...pad.querySelectorAll('button')].find((b) => b.textContent === digit)!);
  await user.click(screen.getByRole('button', { name: '登录' }));
}

describe('guide sign-in', () => {
  beforeEach(() => {
    resetAppStore();
    localStorage.clear();
  });
  afterEach(cleanup);

  it('says so when the store has no guides yet', async () => {
    const h = await makeHarness({ start: true });
    renderWith(h.services, <SignInScreen />);
    expect(await screen.findByText(/本店还没有导购资料/)).toBeTruthy();
  });

  it('shows a tile per guide, and signs in offline with the right PIN', async () => {
    const h = await makeHarness({ start: true, guides: GUIDES });
    h.services.engine.stop(); // offline: the PIN is checked against the synced hash
    h.hub.faults.offline = true;
    const user = userEvent.setup();
    renderWith(h.services, <SignInScreen />);
    await user.click(await screen.findByRole('button', { name: /王芳/ }));
    expect(screen.getByRole('heading', { name: '王芳，请输入 PIN 码' })).toBeTruthy();
    await enterPin(user, '480613');
    await waitFor(() => expect(useAppStore.getState().guide?.name).toBe('王芳'));
    expect(useAppStore.getState().guide?.role).toBe('guide');
  });

  it('locks a guide out after five wrong PINs, even for the right PIN, until the lock runs out', async () => {
    const h = await makeHarness({ start: true, guides: GUIDES });
    const user = userEvent.setup();
    renderWith(h.services, <SignInScreen />);
    await user.click(await screen.findByRole('button', { name: /王芳/ }));
    for (let i = 1; i < MAX_FAILURES; i++) {
      await enterPin(user, '0000');
      await waitFor(() =>
        expect(screen.getByRole('alert').textContent).toBe(
          `PIN 码不对，还可以再试 ${MAX_FAILURES - i} 次`,
        ),
      );
    }
    await enterPin(user, '0000');
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/已锁定/));
    await enterPin(user, '480613');
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/已锁定/));
    expect(useAppStore.getState().guide).toBeNull();

    // Another guide at the same counter is not affected.
    await user.click(screen.getByRole('button', { name: '不是我，返回' }));
    await user.click(await screen.findByRole('button', { name: /张伟/ }));
    await enterPin(user, '731586');
    await waitFor(() => expect(useAppStore.getState().guide?.role).toBe('manager'));

    // After the lock-out period the right PIN works again.
    useAppStore.getState().signOut();
    h.clock.now = new Date(h.clock.now.getTime() + LOCK_MINUTES * 60_000 + 1_000);
    await user.click(screen.getByRole('button', { name: '不是我，返回' }));
    await user.click(await screen.findByRole('button', { name: /王芳/ }));
    await enterPin(user, '480613');
    await waitFor(() => expect(useAppStore.getState().guide?.name).toBe('王芳'));
  });
});
