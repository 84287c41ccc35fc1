// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { storeAlert } from '../data/alerts';
import { makeAlert } from '../data/testing';
import { AppShell } from './app-shell';
import { useAppStore } from '../core/store';
import { makeHarness, renderWith, resetAppStore } from '../testing/test-harness';

const GUIDE = { id: '01960000-0000-7000-8000-0000000000a1', name: '王芳', role: 'guide' as const };

describe('shell', () => {
  beforeEach(() => {
    resetAppStore();
    localStorage.clear();
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it('asks who is at the counter when nobody is signed in, with sync status visible', async () => {
    const h = await makeHarness({ start: true, guides: [{ name: '王芳', pin: '480613' }] });
    renderWith(h.services, <AppShell onLanguage={() => undefined} />);
    expect(await screen.findByRole('heading', { name: '请选择你的名字' })).toBeTruthy();
    expect(screen.getByRole('button', { name: '同步状态' })).toBeTruthy();
    expect(screen.queryByRole('navigation')).toBeNull();
  });

  it('F2 opens lookup, F3 a new order, Esc goes back; only managers see 看板', async () => {
    const h = await makeHarness({ start: true });
    useAppStore.getState().signIn(GUIDE);
    const user = userEvent.setup();
    renderWith(h.services, <AppShell onLanguage={() => undefined} />);
    const nav = await screen.findByRole('navigation', { name: '主导航' });
    expect(within(nav).queryByRole('button', { name: '看板' })).toBeNull();
    await user.keyboard('{F2}');
    expect(useAppStore.getState().screen.name).toBe('lookup');
    await user.keyboard('{F3}');
    expect(useAppStore.getState().screen.name).toBe('order');
    act(() => useAppStore.getState().navigate({ name: 'sync' }));
    await user.keyboard('{Escape}');
    expect(useAppStore.getState().screen.name).toBe('order');
    act(() => useAppStore.getState().signIn({ ...GUIDE, role: 'manager' }));
    expect(within(nav).getByRole('button', { name: '看板' })).toBeTruthy();
  });

  it('F4 claims the newest open arrival for the signed-in guide', async () => {
    const h = await makeHarness({ start: true });
    const older = makeAlert({
      storeId: h.storeId,
      at: '2026-11-02T10:00:00.000Z',
      expiresAt: '2026-11-02T10:30:00.000Z',
    });
    const newer = makeAlert({
      storeId: h.storeId,
      at: '2026-11-02T10:03:00.000Z',
      expiresAt: '2026-11-02T10:33:00.000Z',
    });
    await storeAlert(h.services.db, older);
    await storeAlert(h.services.db, newer);
    useAppStore.getState().signIn(GUIDE);
    const user = userEvent.setup();
    renderWith(h.services, <AppShell onLanguage={() => undefined} />);
    await screen.findByRole('navigation');
    await user.keyboard('{F4}');
    await waitFor(async () =>
      expect((await h.services.db.alerts.get(newer.alertId))?.claimedBy?.guideId).toBe(GUIDE.id),
    );
    expect((await h.services.db.alerts.get(older.alertId))?.status).toBe('open');
  });

  it('switches language from the header', async () => {
    const h = await makeHarness({ start: true });
    useAppStore.getState().signIn(GUIDE);
    const chosen: string[] = [];
    const user = userEvent.setup();
    renderWith(h.services, <AppShell onLanguage={(l) => chosen.push(l)} />);
    await user.selectOptions(await screen.findByRole('combobox', { name: '语言' }), 'en');
    expect(chosen).toEqual(['en']);
  });

  it('locks the counter after the terminal’s idle minutes (autoLockMinutes)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const h = await makeHarness();
    useAppStore.getState().signIn(GUIDE);
    renderWith(h.services, <AppShell onLanguage={() => undefined} />);
    const minutes = h.services.terminal.settings.autoLockMinutes;
    act(() => vi.advanceTimersByTime((minutes - 1) * 60_000));
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' })); // activity re-arms
    act(() => vi.advanceTimersByTime((minutes - 1) * 60_000));
    expect(useAppStore.getState().guide?.name).toBe('王芳');
    act(() => vi.advanceTimersByTime(2 * 60_000));
    expect(useAppStore.getState().guide).toBeNull();
  });
});
