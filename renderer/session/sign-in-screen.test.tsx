// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PIN_LOCK_MINUTES, PIN_MAX_FAILURES, verifyPin } from '../../shared/domain/pin-verifier';
import { makeHarness, renderWith, resetAppStore, type Harness } from '../testing/test-harness';
import { useAppStore } from '../core/store';
import { openStaff } from '../data/staff-rows';
import { SignInScreen } from './sign-in-screen';

const GUIDES = [
  { name: '王芳', pin: '480613' },
  { name: '张伟', pin: '731586', role: 'manager' as const },
  // a PIN from before the 6-digit rule
  { name: '李娜', pin: '2345' },
];

type User = ReturnType<typeof userEvent.setup>;

async function enterPin(user: User, pin: string, ok = '登录') {
  const pad = screen.getByRole('group', { name: 'PIN 键盘' });
  for (const digit of pin)
    await user.click([...pad.querySelectorAll('button')].find((b) => b.textContent === digit)!);
  await user.click(screen.getByRole('button', { name: ok }));
}

async function pick(user: User, name: string) {
  await user.click(await screen.findByRole('button', { name: new RegExp(name) }));
}

const idOf = (h: Harness, name: string) => h.hub.staff.find((s) => s.name === name)!.id;
const localAudit = async (h: Harness) =>
  (await h.services.db.audit.toArray()).map((a) => [a.action, a.guideId]);

describe('guide sign-in', () => {
  beforeEach(() => {
    resetAppStore();
  });
  afterEach(cleanup);

  it('says so when the store has no guides yet', async () => {
    const h = await makeHarness({ start: true });
    renderWith(h.services, <SignInScreen />);
    expect(await screen.findByText(/本店还没有导购资料/)).toBeTruthy();
  });

  it('online, the hub checks the PIN (and audits it; nothing is queued here)', async () => {
    const h = await makeHarness({ start: true, guides: GUIDES });
    const user = userEvent.setup();
    renderWith(h.services, <SignInScreen />);
    await pick(user, '王芳');
    expect(screen.getByRole('heading', { name: '王芳，请输入 PIN 码' })).toBeTruthy();
    await enterPin(user, '480613');
    await waitFor(() => expect(useAppStore.getState().guide?.name).toBe('王芳'));
    expect(useAppStore.getState().guide?.role).toBe('guide');
    expect(h.hub.signIns).toEqual([{ guideId: idOf(h, '王芳'), outcome: 'ok' }]);
    expect(await localAudit(h)).toEqual([]);
  });

  it('offline, the synced verifier decides, and each attempt is queued for the hub’s audit', async () => {
    const h = await makeHarness({ start: true, guides: GUIDES });
    h.services.engine.stop();
    h.hub.faults.offline = true;
    const user = userEvent.setup();
    renderWith(h.services, <SignInScreen />);
    await pick(user, '王芳');
    await enterPin(user, '000000');
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe('PIN 码不对，还可以再试 4 次'),
    );
    await enterPin(user, '480613');
    await waitFor(() => expect(useAppStore.getState().guide?.name).toBe('王芳'));
    expect(h.hub.signIns).toEqual([]);
    const id = idOf(h, '王芳');
    expect(await localAudit(h)).toEqual([
      ['sign_in_failed', id],
      ['sign_in', id],
    ]);
    // The queued entries name no customer and reach the hub with the next drain.
    h.hub.faults.offline = false;
    await h.services.engine.drain();
    expect([...h.hub.audit.values()].map((e) => [e.action, e.customerId])).toEqual([
      ['sign_in_failed', null],
      ['sign_in', null],
    ]);
  });

  it('offline, a 4-digit PIN still signs in (it is changed at the next online sign-in)', async () => {
    const h = await makeHarness({ start: true, guides: GUIDES });
    h.services.engine.stop();
    h.hub.faults.offline = true;
    const user = userEvent.setup();
    renderWith(h.services, <SignInScreen />);
    await pick(user, '李娜');
    await enterPin(user, '2345');
    await waitFor(() => expect(useAppStore.getState().guide?.name).toBe('李娜'));
  });

  it('locks a guide out after five wrong PINs at the hub; the lock holds here when the hub goes away, and ends on time', async () => {
    const h = await makeHarness({ start: true, guides: GUIDES });
    const user = userEvent.setup();
    renderWith(h.services, <SignInScreen />);
    await pick(user, '王芳');
    for (let i = 1; i < PIN_MAX_FAILURES; i++) {
      await enterPin(user, '000000');
      await waitFor(() =>
        expect(screen.getByRole('alert').textContent).toBe(
          `PIN 码不对，还可以再试 ${PIN_MAX_FAILURES - i} 次`,
        ),
      );
    }
    await enterPin(user, '000000');
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/已锁定/));
    // Offline now: the right PIN is still refused (the hub's lock is mirrored here).
    h.hub.faults.offline = true;
    await enterPin(user, '480613');
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/已锁定/));
    expect(useAppStore.getState().guide).toBeNull();

    // Another guide at the same counter is not affected.
    h.hub.faults.offline = false;
    await user.click(screen.getByRole('button', { name: '不是我，返回' }));
    await pick(user, '张伟');
    await enterPin(user, '731586');
    await waitFor(() => expect(useAppStore.getState().guide?.role).toBe('manager'));

    // After the lock-out period the right PIN works again.
    useAppStore.getState().signOut();
    h.clock.now = new Date(h.clock.now.getTime() + PIN_LOCK_MINUTES * 60_000 + 1_000);
    await user.click(screen.getByRole('button', { name: '不是我，返回' }));
    await pick(user, '王芳');
    await enterPin(user, '480613');
    await waitFor(() => expect(useAppStore.getState().guide?.name).toBe('王芳'));
  });

  it('a 4-digit PIN signed in online goes to the PIN change: rules, new PIN twice, then signed in', async () => {
    const h = await makeHarness({ start: true, guides: GUIDES });
    const user = userEvent.setup();
    renderWith(h.services, <SignInScreen />);
    await pick(user, '李娜');
    await enterPin(user, '2345');
    await screen.findByRole('heading', { name: '李娜，请设置新的 PIN 码' });
    expect(useAppStore.getState().guide).toBeNull();
    const rules = screen.getByRole('region', { name: '新 PIN 码要求' }).textContent;
    expect(rules).toContain('6 到 8 位数字');
    expect(rules).toContain('123456');

    await enterPin(user, '123456', '下一步');
    expect(screen.getByRole('alert').textContent).toBe('新 PIN 码不能是连续数字');
    await enterPin(user, '842519', '下一步');
    await screen.findByRole('heading', { name: '请再输入一次新的 PIN 码' });
    await enterPin(user, '842510', '保存并登录');
    expect(screen.getByRole('alert').textContent).toBe('两次输入的 PIN 码不一致，请重新设置');
    await enterPin(user, '842519', '下一步');
    await enterPin(user, '842519', '保存并登录');
    await waitFor(() => expect(useAppStore.getState().guide?.name).toBe('李娜'));

    // The hub holds the new verifier, and this terminal pulled it: offline, the new PIN works.
    const hubRow = h.hub.staff.find((s) => s.name === '李娜')!;
    expect(await verifyPin('842519', hubRow.pinHash)).toBe(true);
    // The synced verifier is kept sealed (encryption at rest): not in clear, and opens to the new one.
    const stored = (await h.services.db.staff.get(hubRow.id))!;
    expect(stored.pinHash).toBeUndefined();
    expect((await openStaff(h.services.db.sealer, stored)).pinHash).toBe(hubRow.pinHash);
  });

  it('the change needs the hub: offline, the PIN is not changed and the guide is told', async () => {
    const h = await makeHarness({ start: true, guides: GUIDES });
    const user = userEvent.setup();
    renderWith(h.services, <SignInScreen />);
    await pick(user, '李娜');
    await enterPin(user, '2345');
    await screen.findByRole('heading', { name: '李娜，请设置新的 PIN 码' });
    h.hub.faults.offline = true;
    await enterPin(user, '842519', '下一步');
    await enterPin(user, '842519', '保存并登录');
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe(
        '无法连接总部，PIN 码未修改。请联网后重试',
      ),
    );
    expect(useAppStore.getState().guide).toBeNull();
    await user.click(screen.getByRole('button', { name: '取消，返回' }));
    await screen.findByRole('heading', { name: '请选择你的名字' });
  });
});
