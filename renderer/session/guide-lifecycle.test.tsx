// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { act, cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppShell } from '../app/app-shell';
import { useAppStore } from '../core/store';
import { makeHarness, renderWith, resetAppStore, type Harness } from '../testing/test-harness';
import { SignInScreen } from './sign-in-screen';
import { testPinHash } from '../data/testing';

const GUIDES = [
  { name: '王芳', pin: '480613' },
  { name: '张伟', pin: '731586', role: 'manager' as const },
];

async function enterPin(user: ReturnType<typeof userEvent.setup>, pin: string, signIn = '登录') {
  const pad = screen.getByRole('group', { name: /PIN/ });
  for (const digit of pin)
    await user.click([...pad.querySelectorAll('button')].find((b) => b.textContent === digit)!);
  await user.click(screen.getByRole('button', { name: signIn }));
}

/** What IT does at the hub, as the terminal sees it: the staff row changes, `staff:changed` arrives. */
async function hubChangesGuide(
  h: Harness,
  name: string,
  change: { active?: boolean; pin?: string },
) {
  const row = h.hub.staff.find((s) => s.name === name)!;
  if (change.active !== undefined) row.active = change.active;
  if (change.pin !== undefined) row.pinHash = await testPinHash(change.pin);
  await act(async () => {
    h.live().staffChanged();
    await h.services.engine.settled();
  });
}

describe('guide lifecycle on the terminal', () => {
  beforeEach(() => {
    resetAppStore();
    localStorage.clear();
  });
  afterEach(cleanup);

  it('refuses a guide deactivated while their PIN pad was open, says why, and drops their tile', async () => {
    const h = await makeHarness({ start: true, guides: GUIDES });
    const user = userEvent.setup();
    renderWith(h.services, <SignInScreen />);
    await user.click(await screen.findByRole('button', { name: /王芳/ }));
    await hubChangesGuide(h, '王芳', { active: false });
    await enterPin(user, '480613');
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe('该导购已停用，请联系店长'),
    );
    expect(useAppStore.getState().guide).toBeNull();
    // The refusal is not a wrong PIN: it does not count towards the lock-out.
    expect(Object.keys(localStorage).length).toBe(0);

    await user.click(screen.getByRole('button', { name: '不是我，返回' }));
    await screen.findByRole('button', { name: /张伟/ });
    expect(screen.queryByRole('button', { name: /王芳/ })).toBeNull();

    // Reactivated: the tile is back and the same PIN signs in.
    await hubChangesGuide(h, '王芳', { active: true });
    await user.click(await screen.findByRole('button', { name: /王芳/ }));
    await enterPin(user, '480613');
    await waitFor(() => expect(useAppStore.getState().guide?.name).toBe('王芳'));
  });

  it('says it in English too', async () => {
    const h = await makeHarness({ start: true, guides: GUIDES });
    const user = userEvent.setup();
    renderWith(h.services, <SignInScreen />, 'en');
    await user.click(await screen.findByRole('button', { name: /王芳/ }));
    await hubChangesGuide(h, '王芳', { active: false });
    await enterPin(user, '480613', 'Sign in');
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe(
        'This guide has been deactivated. Please contact the store manager.',
      ),
    );
    expect(useAppStore.getState().guide).toBeNull();
  });

  it('signs a deactivated guide out to the neutral sign-in screen, with no screen or draft left', async () => {
    const h = await makeHarness({ start: true, guides: GUIDES });
    const user = userEvent.setup();
    renderWith(h.services, <AppShell onLanguage={() => undefined} />);
    await user.click(await screen.findByRole('button', { name: /王芳/ }));
    await enterPin(user, '480613');
    await waitFor(() => expect(useAppStore.getState().guide?.name).toBe('王芳'));
    act(() => {
      useAppStore.getState().navigate({ name: 'lookup', query: '5678' });
      useAppStore.getState().attachDraftCustomer('01960000-0000-7000-8000-0000000000c1');
    });

    // Another guide's change leaves the signed-in guide alone.
    await hubChangesGuide(h, '张伟', { pin: '5555' });
    expect(useAppStore.getState().guide?.name).toBe('王芳');

    await hubChangesGuide(h, '王芳', { active: false });
    await waitFor(() => expect(useAppStore.getState().guide).toBeNull());
    expect(await screen.findByRole('heading', { name: '请选择你的名字' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: /王芳/ })).toBeNull();
    const state = useAppStore.getState();
    expect(state.screen).toEqual({ name: 'arrivals' });
    expect(state.history).toEqual([]);
    expect(state.orderDraft.customerId).toBeNull();
  });

  it('a PIN reset makes the old PIN fail and the new one work once staff has synced', async () => {
    const h = await makeHarness({ start: true, guides: GUIDES });
    const user = userEvent.setup();
    renderWith(h.services, <SignInScreen />);
    await hubChangesGuide(h, '王芳', { pin: '246810' });
    await user.click(await screen.findByRole('button', { name: /王芳/ }));
    await enterPin(user, '480613');
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/PIN 码不对/));
    expect(useAppStore.getState().guide).toBeNull();
    await enterPin(user, '246810');
    await waitFor(() => expect(useAppStore.getState().guide?.name).toBe('王芳'));
  });
});
