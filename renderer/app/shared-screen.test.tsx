// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CustomerProfile } from '../../shared/protocol';
import { applyCustomerItems, customerPageTables } from '../data/customers';
import { makeProfile } from '../data/testing';
import { AppShell } from './app-shell';
import { useAppStore } from '../core/store';
import { makeHarness, renderWith, resetAppStore, type Harness } from '../testing/test-harness';

/**
 * Issue #13 item 7: after 换人, auto-lock or sign-out the next guide starts on a neutral screen,
 * with nothing of the previous guide's customer on screen, in the Back history or in a
 * screen's own state (the lookup box).
 */
const CUSTOMER = '赵敏';
const GUIDES = [
  { name: '王芳', pin: '480613' },
  { name: '李娜', pin: '592704' },
];

type User = ReturnType<typeof userEvent.setup>;

async function setup(): Promise<{ h: Harness; profile: CustomerProfile }> {
  const h = await makeHarness({ start: true, guides: GUIDES });
  const profile = await makeProfile({ name: CUSTOMER, homeStoreId: h.storeId });
  const { db } = h.services;
  await db.transaction('rw', customerPageTables(db), () => applyCustomerItems(db, [profile]));
  return { h, profile };
}

function guideNamed(h: Harness, name: string) {
  const staff = h.hub.staff.find((g) => g.name === name);
  if (!staff) throw new Error(`no guide ${name}`);
  return { id: staff.id, name: staff.name, role: staff.role };
}

/** the previous guide's trail: lookup typed with the name, then the customer's 360 */
function openCustomer(profile: CustomerProfile) {
  act(() => {
    useAppStore.getState().navigate({ name: 'lookup', query: CUSTOMER });
    useAppStore.getState().navigate({ name: 'customer', customerId: profile.id });
  });
}

/**
 * Polls on setImmediate, which the auto-lock test's fake timers leave real (and `Date`, which
 * they do not fake either); bounded by 10 s of time, not by a count of event-loop turns (how
 * long 2,000 turns last says nothing of how long the 360's lazy chunk takes on a loaded machine).
 */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check() && Date.now() < deadline)
    await act(() => new Promise<void>((resolve) => setImmediate(resolve)));
  expect(check()).toBe(true);
}

const showsCustomer = () => screen.queryByRole('heading', { name: CUSTOMER, level: 1 }) !== null;

function expectNoTrace() {
  expect(document.body.textContent).not.toContain(CUSTOMER);
  for (const input of document.querySelectorAll('input'))
    expect(input.value).not.toContain(CUSTOMER);
  const { screen: current, history } = useAppStore.getState();
  expect(current).toEqual({ name: 'arrivals' });
  expect(history).toEqual([]);
}

async function enterPin(user: User, pin: string) {
  const pad = screen.getByRole('group', { name: 'PIN 键盘' });
  for (const digit of pin)
    await user.click([...pad.querySelectorAll('button')].find((b) => b.textContent === digit)!);
  await user.click(screen.getByRole('button', { name: '登录' }));
}

async function signInThroughPad(user: User, name: string, pin: string) {
  await user.click(await screen.findByRole('button', { name: new RegExp(name) }));
  await enterPin(user, pin);
  await waitFor(() => expect(useAppStore.getState().guide?.name).toBe(name));
}

/** the next guide signs in, lands on arrivals, and Back (Esc) leads nowhere older */
async function nextGuideSeesNeutralScreen(user: User) {
  expect(await screen.findByRole('heading', { name: '请选择你的名字' })).toBeTruthy();
  expectNoTrace();
  await signInThroughPad(user, '李娜', '592704');
  expect(await screen.findByRole('heading', { name: '到店顾客', level: 1 })).toBeTruthy();
  const nav = screen.getByRole('navigation', { name: '主导航' });
  expect(within(nav).getByRole('button', { name: /到店/ }).getAttribute('aria-current')).toBe(
    'page',
  );
  expectNoTrace();
  await user.keyboard('{Escape}');
  expect(screen.getByRole('heading', { name: '到店顾客', level: 1 })).toBeTruthy();
  expectNoTrace();
  // and the lookup screen opens empty, not with the previous guide's search
  await user.keyboard('{F2}');
  await waitFor(() => expect(useAppStore.getState().screen.name).toBe('lookup'));
  for (const input of document.querySelectorAll('input')) expect(input.value).toBe('');
}

describe('shared screen', () => {
  beforeEach(() => {
    resetAppStore();
    localStorage.clear();
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it('换人 from a customer’s 360: the next guide sees arrivals, no customer, no way back to it', async () => {
    const { h, profile } = await setup();
    useAppStore.getState().signIn(guideNamed(h, '王芳'));
    const user = userEvent.setup();
    renderWith(h.services, <AppShell onLanguage={() => undefined} />);
    openCustomer(profile);
    // The 360 is a lazy chunk: its first open in a test run transforms the module (seconds on a
    // loaded CI machine), hence the longer wait; what is asserted is unchanged.
    expect(
      await screen.findByRole('heading', { name: CUSTOMER, level: 1 }, { timeout: 10_000 }),
    ).toBeTruthy();
    await user.click(screen.getByRole('button', { name: '换人' }));
    await nextGuideSeesNeutralScreen(user);
  });

  it('sign-out (the store action every exit uses) does the same', async () => {
    const { h, profile } = await setup();
    useAppStore.getState().signIn(guideNamed(h, '王芳'));
    const user = userEvent.setup();
    renderWith(h.services, <AppShell onLanguage={() => undefined} />);
    openCustomer(profile);
    // The 360 is a lazy chunk: its first open in a test run transforms the module (seconds on a
    // loaded CI machine), hence the longer wait; what is asserted is unchanged.
    expect(
      await screen.findByRole('heading', { name: CUSTOMER, level: 1 }, { timeout: 10_000 }),
    ).toBeTruthy();
    act(() => useAppStore.getState().signOut());
    await nextGuideSeesNeutralScreen(user);
  });

  it('auto-lock on a customer’s 360 after the idle minutes does the same', async () => {
    const { h, profile } = await setup();
    renderWith(h.services, <AppShell onLanguage={() => undefined} />);
    await screen.findByRole('heading', { name: '请选择你的名字' });
    // Fake timers from the sign-in on, so the lock's timer is one the test can run forward.
    // shouldAdvanceTime: the local database (fake-indexeddb under Dexie's live queries) also
    // schedules with setTimeout; its timers must keep running when the sign-in screen mounts.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldAdvanceTime: true });
    act(() => useAppStore.getState().signIn(guideNamed(h, '王芳')));
    openCustomer(profile);
    await until(showsCustomer);
    const minutes = h.services.terminal.settings.autoLockMinutes;
    act(() => vi.advanceTimersByTime((minutes - 1) * 60_000));
    expect(showsCustomer()).toBe(true);
    act(() => vi.advanceTimersByTime(2 * 60_000));
    expect(useAppStore.getState().guide).toBeNull();
    // Back to real timers only once the sign-in screen has read the guides: timers scheduled
    // under the fake clock are dropped when it is removed.
    await screen.findByRole('heading', { name: '请选择你的名字' });
    vi.useRealTimers();
    await nextGuideSeesNeutralScreen(userEvent.setup());
  });

  it('an unsent order is kept for its guide, out of sight of the next one, and given back', async () => {
    const { h, profile } = await setup();
    useAppStore.getState().signIn(guideNamed(h, '王芳'));
    const user = userEvent.setup();
    renderWith(h.services, <AppShell onLanguage={() => undefined} />);
    act(() => useAppStore.getState().navigate({ name: 'order', customerId: profile.id }));
    await waitFor(() => expect(document.body.textContent).toContain(CUSTOMER));
    await user.click(screen.getByRole('button', { name: '换人' }));

    await nextGuideSeesNeutralScreen(user);
    expect(screen.queryByText(/未完成的订单已保留/)).toBeNull();
    const nav = screen.getByRole('navigation', { name: '主导航' });
    await user.click(within(nav).getByRole('button', { name: /开单/ }));
    await waitFor(() => expect(useAppStore.getState().screen.name).toBe('order'));
    expect(document.body.textContent).not.toContain(CUSTOMER);
    expect(useAppStore.getState().orderDraft.customerId).toBeNull();

    await user.click(screen.getByRole('button', { name: '换人' }));
    await signInThroughPad(user, '王芳', '480613');
    expect(await screen.findByText('你上次未完成的订单已保留，点「开单」继续')).toBeTruthy();
    expect(useAppStore.getState().screen).toEqual({ name: 'arrivals' });
    await user.click(within(screen.getByRole('navigation')).getByRole('button', { name: /开单/ }));
    await waitFor(() => expect(document.body.textContent).toContain(CUSTOMER));
    expect(useAppStore.getState().orderDraft.customerId).toBe(profile.id);
  });
});
