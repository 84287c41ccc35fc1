// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { act, cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeHarness, renderWith, resetAppStore } from '../testing/test-harness';
import { useAppStore } from '../core/store';
import { ManagerStepUp, STEP_UP_MINUTES } from './manager-step-up';

const GUIDES = [{ name: '张伟', pin: '731586', role: 'manager' as const }];

async function enterPin(user: ReturnType<typeof userEvent.setup>, pin: string) {
  const pad = screen.getByRole('group', { name: 'PIN 键盘' });
  for (const digit of pin)
    await user.click([...pad.querySelectorAll('button')].find((b) => b.textContent === digit)!);
  await user.click(screen.getByRole('button', { name: '确认' }));
}

describe('manager step-up before manager actions', () => {
  beforeEach(resetAppStore);
  afterEach(cleanup);

  it(`lets a manager in within ${STEP_UP_MINUTES} minutes of their PIN, asks again after, and refuses a wrong PIN`, async () => {
    const h = await makeHarness({ start: true, guides: GUIDES });
    const manager = h.hub.staff[0]!;
    useAppStore.getState().signIn({ id: manager.id, name: '张伟', role: 'manager' }, h.clock.now);
    const user = userEvent.setup();
    const view = renderWith(
      h.services,
      <ManagerStepUp>
        <p>today’s figures</p>
      </ManagerStepUp>,
    );
    expect(screen.getByText('today’s figures')).toBeTruthy();

    h.clock.now = new Date(h.clock.now.getTime() + (STEP_UP_MINUTES + 1) * 60_000);
    view.unmount();
    renderWith(
      h.services,
      <ManagerStepUp>
        <p>today’s figures</p>
      </ManagerStepUp>,
    );
    expect(screen.queryByText('today’s figures')).toBeNull();
    expect(screen.getByRole('heading', { name: '张伟，请再次输入店长 PIN 码' })).toBeTruthy();
    await enterPin(user, '000000');
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe('PIN 码不对，还可以再试 4 次'),
    );
    expect(screen.queryByText('today’s figures')).toBeNull();
    await enterPin(user, '731586');
    expect(await screen.findByText('today’s figures')).toBeTruthy();
    expect(h.hub.signIns.map((s) => s.outcome)).toEqual(['wrong', 'ok']);
  });

  it('shows nothing to a guide’s session (the screen refuses it)', async () => {
    const h = await makeHarness({ start: true, guides: GUIDES });
    act(() => useAppStore.getState().signIn({ id: 'g', name: '王芳', role: 'guide' }, h.clock.now));
    renderWith(
      h.services,
      <ManagerStepUp>
        <p>today’s figures</p>
      </ManagerStepUp>,
    );
    expect(screen.queryByText('today’s figures')).toBeNull();
    expect(screen.queryByRole('group', { name: 'PIN 键盘' })).toBeNull();
  });
});
