// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { CustomerProfile, StaffMember } from '../../shared/protocol';
import { replaceStaff } from '../data/staff';
import { makeGuide, makeProfile, testPinHash } from '../data/testing';
import { createHarness } from '../testing/screen-testing';
import { CustomerScreen } from './customer-screen';

afterEach(cleanup);

const MANAGER_PIN = '604918';

/**
 * A store with the signed-in guide (李娜, the harness's), 王芳 and the manager 赵敏, and a member
 * bound to 王芳, cached here and known to the (fake) hub.
 */
async function setup(options: { online?: boolean; guideNames?: [string, string] } = {}) {
  const h = createHarness({ online: options.online ?? true });
  const [wangName, zhaoName] = options.guideNames ?? ['王芳', '赵敏'];
  const wang = makeGuide({ storeId: h.storeId, name: wangName });
  const manager = makeGuide({
    storeId: h.storeId,
    name: zhaoName,
    role: 'manager',
    pinHash: await testPinHash(MANAGER_PIN),
  });
  const me = makeGuide({ id: h.guide.id, storeId: h.storeId, name: h.guide.name });
  const staff: StaffMember[] = [me, wang, manager];
  h.hub.staff = staff;
  await h.db.transaction('rw', h.db.staff, () => replaceStaff(h.db, staff));
  const profile = h.hub.upsertCustomer(
    await makeProfile({
      name: '林小雨',
      homeStoreId: h.storeId,
      binding: { guideId: wang.id, guideName: wang.name, since: '2026-10-01T02:00:00.000Z' },
    }),
  );
  await h.seedCustomers([profile]);
  return { h, profile, wang, manager };
}

const dialog = () => screen.getByRole('dialog', { name: '转交顾客' });

async function openTransfer() {
  await userEvent.click(await screen.findByRole('button', { name: '转给其他导购' }));
  return within(dialog());
}

describe('whose customer on the 360, and the manager’s transfer', () => {
  it('shows "王芳的顾客" for another guide’s customer, "你的顾客" for the signed-in guide’s, and the pool', async () => {
    const { h, profile } = await setup();
    h.show(<CustomerScreen customerId={profile.id} />);
    expect(await screen.findByText('王芳的顾客')).toBeTruthy();
    cleanup();

    const mine = await makeProfile({
      name: '陈静',
      binding: { guideId: h.guide.id, guideName: '李娜', since: '2026-10-01T02:00:00.000Z' },
    });
    const pool = await makeProfile({ name: '刘洋', binding: null });
    const old: CustomerProfile = await makeProfile({ name: '周琳' });
    await h.seedCustomers([mine, pool, old]);
    h.show(<CustomerScreen customerId={mine.id} />);
    expect(await screen.findByText('你的顾客')).toBeTruthy();
    cleanup();
    h.show(<CustomerScreen customerId={pool.id} />);
    expect(await screen.findByText('门店客户（无专属导购）')).toBeTruthy();
    cleanup();
    // Cached before bindings existed: the pool too (the feed will say otherwise if it knows).
    h.show(<CustomerScreen customerId={old.id} />);
    expect(await screen.findByText('门店客户（无专属导购）')).toBeTruthy();
  });

  it('the manager hands the customer to the signed-in guide with their PIN; a wrong PIN says how many tries are left', async () => {
    const { h, profile, manager } = await setup();
    h.show(<CustomerScreen customerId={profile.id} />);
    const form = await openTransfer();
    // At once: the button waits for her binding (a loaded CI machine once opened the dialog
    // before it was read, and the dialog said she was in the store pool).
    expect(form.getByText('当前：王芳')).toBeTruthy();
    // Only other guides of this store are offered: not the guide the customer already has.
    const target = form.getByRole('combobox', { name: '转给' });
    const offered = () =>
      within(target)
        .getAllByRole('option')
        .map((o) => o.textContent);
    // The store's guides come from the local cache after the form opens (a loaded machine was
    // seen to read the list before they had).
    await waitFor(() => expect(offered()).toEqual(['请选择导购', '李娜', '赵敏']), {
      timeout: 5_000,
    });
    expect((form.getByRole('combobox', { name: '店长' }) as HTMLSelectElement).value).toBe(
      manager.id,
    );
    const submit = form.getByRole('button', { name: '确认转交' });
    expect((submit as HTMLButtonElement).disabled).toBe(true);

    await userEvent.selectOptions(target, h.guide.id);
    await userEvent.type(form.getByLabelText('店长 PIN'), '000000');
    await userEvent.click(submit);
    expect((await form.findByRole('alert')).textContent).toBe('PIN 不正确，还可以再试 4 次');
    expect(h.hub.transfers.size).toBe(0);
    expect((form.getByLabelText('店长 PIN') as HTMLInputElement).value).toBe('');

    await userEvent.type(form.getByLabelText('店长 PIN'), MANAGER_PIN);
    await userEvent.click(form.getByRole('button', { name: '确认转交' }));
    expect(await screen.findByRole('status')).toBeTruthy();
    expect(screen.getByRole('status').textContent).toBe('已转给 李娜');
    // The feed pulled after the transfer brings the new binding into the cache: the 360 shows it.
    expect(await screen.findByText('你的顾客')).toBeTruthy();
    expect(screen.queryByText('王芳的顾客')).toBeNull();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect([...h.hub.transfers.values()]).toEqual([
      { customerId: profile.id, toGuideId: h.guide.id, managerId: manager.id },
    ]);
  });

  it('offline: the binding still shows from the cache; the transfer says it needs the hub and cannot be sent', async () => {
    const { h, profile } = await setup({ online: false });
    h.show(<CustomerScreen customerId={profile.id} />);
    expect(await screen.findByText('王芳的顾客')).toBeTruthy();
    const form = await openTransfer();
    expect(form.getByText('转交需要连接总部；恢复联网后再试')).toBeTruthy();
    await userEvent.selectOptions(form.getByRole('combobox', { name: '转给' }), h.guide.id);
    await userEvent.type(form.getByLabelText('店长 PIN'), MANAGER_PIN);
    expect((form.getByRole('button', { name: '确认转交' }) as HTMLButtonElement).disabled).toBe(
      true,
    );
    await userEvent.click(form.getByRole('button', { name: '取消' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(h.hub.transfers.size).toBe(0);
  });

  it('speaks English: "Wang Fang\'s customer" and the transfer form', async () => {
    const { h, profile } = await setup({ guideNames: ['Wang Fang', 'Zhao Min'] });
    h.show(<CustomerScreen customerId={profile.id} />, 'en');
    expect(await screen.findByText("Wang Fang's customer")).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Hand to another guide' }));
    const form = within(screen.getByRole('dialog', { name: 'Transfer customer' }));
    expect(form.getByText('Now: Wang Fang')).toBeTruthy();
    expect(form.getByLabelText("Manager's PIN")).toBeTruthy();
  });
});
