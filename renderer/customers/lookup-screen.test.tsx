// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { useAppStore } from '../core/store';
import { phoneTagOf } from '../../shared/domain/phone-tag';
import { customerById } from '../data/customers';
import { makeProfile, TEST_PHONE_KEY } from '../data/testing';
import { LookupScreen } from './lookup-screen';
import { createHarness, scanBurst } from '../testing/screen-testing';

afterEach(cleanup);

async function withCustomers() {
  const h = createHarness();
  const wang = await makeProfile({ name: '王芳', phone: '+8613812345678', memberCode: 'M10001' });
  const zhang = await makeProfile({
    name: '张伟',
    phone: '+8613900005678',
    memberCode: 'M20002',
    tier: 'platinum',
  });
  const li = await makeProfile({ name: '李静', phone: '+8613700001111', memberCode: 'M30003' });
  await h.seedCustomers([wang, zhang, li]);
  return { h, wang, zhang, li };
}

const results = () => screen.getByRole('list', { name: '查询结果' });

describe('LookupScreen', () => {
  it('starts empty with a prompt saying what can be typed', () => {
    const h = createHarness();
    h.show(<LookupScreen />);
    expect(screen.getByRole('searchbox', { name: '搜索顾客' })).toHaveProperty('value', '');
    expect(screen.getByRole('status').textContent).toBe('输入手机号、尾号、会员码或姓名开始查找');
    expect(screen.queryByRole('note')).toBeNull();
  });

  it('finds both customers sharing a 尾号 as the guide types the last 4 digits', async () => {
    const { h } = await withCustomers();
    h.show(<LookupScreen />);
    await userEvent.type(screen.getByRole('searchbox', { name: '搜索顾客' }), '5678');
    await waitFor(() => expect(screen.getByText('找到 2 位顾客')).toBeTruthy());
    const names = Array.from(results().querySelectorAll('.result-name')).map((n) => n.textContent);
    expect(names.sort()).toEqual(['张伟', '王芳']);
    expect(results().textContent).toContain('尾号 5678');
    expect(results().textContent).not.toContain('13812345678');
  });

  it('finds a customer by a full mobile number typed with spaces, and Enter opens the only match', async () => {
    const { h, wang } = await withCustomers();
    h.show(<LookupScreen />);
    const box = screen.getByRole('searchbox', { name: '搜索顾客' });
    await userEvent.type(box, '138 1234 5678');
    await waitFor(() => expect(screen.getByText('找到 1 位顾客')).toBeTruthy());
    expect(results().textContent).toContain('王芳');
    await userEvent.type(box, '{Enter}');
    expect(useAppStore.getState().screen).toEqual({ name: 'customer', customerId: wang.id });
    // Head office can see who looked up a phone number and whom it found (not the number).
    const guideId = useAppStore.getState().guide?.id ?? null;
    await waitFor(async () =>
      expect((await h.db.audit.toArray()).filter((a) => a.action === 'phone_lookup')).toMatchObject(
        [{ guideId, customerId: wang.id, synced: 0 }],
      ),
    );
    expect(JSON.stringify(await h.db.audit.toArray())).not.toContain('12345678');
  });

  it('lists by name the rare second customer whose 尾号 and phone tag match a typed number; Enter opens neither', async () => {
    const h = createHarness();
    const tag = await phoneTagOf(TEST_PHONE_KEY, '+8613812345678');
    let twin = '';
    for (let i = 0; !twin; i++) {
      const candidate = `+86139${String(i).padStart(4, '0')}5678`;
      if ((await phoneTagOf(TEST_PHONE_KEY, candidate)) === tag) twin = candidate;
    }
    await h.seedCustomers([
      await makeProfile({ name: '王芳', phone: '+8613812345678' }),
      await makeProfile({ name: '陈婷', phone: twin }),
    ]);
    h.show(<LookupScreen />);
    const box = screen.getByRole('searchbox', { name: '搜索顾客' });
    await userEvent.type(box, '13812345678');
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toBe(
        '2 位顾客的尾号和号码校验都相同，请按姓名确认',
      ),
    );
    const names = Array.from(results().querySelectorAll('.result-name')).map((n) => n.textContent);
    expect(names.sort()).toEqual(['王芳', '陈婷'].sort());
    await userEvent.type(box, '{Enter}');
    expect(useAppStore.getState().screen).not.toMatchObject({ name: 'customer' });
  });

  it('finds by member code, by Chinese name and by pinyin initials', async () => {
    const { h, zhang, li } = await withCustomers();
    h.show(<LookupScreen />);
    const box = screen.getByRole('searchbox', { name: '搜索顾客' });
    await userEvent.type(box, 'M20002');
    await waitFor(() => expect(results().textContent).toContain('张伟'));
    expect(screen.getByText('找到 1 位顾客')).toBeTruthy();

    await userEvent.clear(box);
    await userEvent.type(box, '李');
    await waitFor(() => expect(results().textContent).toContain('李静'));

    await userEvent.clear(box);
    await userEvent.type(box, 'zw');
    await waitFor(() => expect(results().textContent).toContain('张伟'));
    await userEvent.click(screen.getByRole('button', { name: /张伟/ }));
    expect(useAppStore.getState().screen).toEqual({ name: 'customer', customerId: zhang.id });
    void li;
  });

  it('opens the member directly when a member QR is scanned anywhere on the screen', async () => {
    const { h, li } = await withCustomers();
    h.show(<LookupScreen />);
    scanBurst('M30003');
    await waitFor(() =>
      expect(useAppStore.getState().screen).toEqual({ name: 'customer', customerId: li.id }),
    );
  });

  it('walks the results with the arrow keys and opens one with Enter', async () => {
    const { h, zhang } = await withCustomers();
    h.show(<LookupScreen />);
    const box = screen.getByRole('searchbox', { name: '搜索顾客' });
    await userEvent.type(box, '5678');
    await waitFor(() => expect(screen.getByText('找到 2 位顾客')).toBeTruthy());
    await userEvent.keyboard('{ArrowDown}');
    const buttons = within(results()).getAllByRole('button');
    expect(document.activeElement).toBe(buttons[0]);
    await userEvent.keyboard('{ArrowDown}');
    expect(document.activeElement).toBe(buttons[1]);
    await userEvent.keyboard('{ArrowUp}{ArrowUp}');
    expect(document.activeElement).toBe(box);
    await userEvent.keyboard('{ArrowDown}');
    const target = buttons.find((b) => b.textContent?.includes('张伟'))!;
    target.focus();
    await userEvent.keyboard('{Enter}');
    expect(useAppStore.getState().screen).toEqual({ name: 'customer', customerId: zhang.id });
  });

  it('offers to register the typed phone when nobody matches', async () => {
    const { h } = await withCustomers();
    h.show(<LookupScreen />);
    await userEvent.type(screen.getByRole('searchbox', { name: '搜索顾客' }), '13600009999');
    await waitFor(() => expect(screen.getByText('没有找到匹配的顾客')).toBeTruthy());
    await userEvent.click(screen.getByRole('button', { name: '用 13600009999 注册新会员' }));
    expect(useAppStore.getState().screen).toEqual({ name: 'register', phone: '13600009999' });
  });

  it('a name with no match offers registration without a phone', async () => {
    const { h } = await withCustomers();
    h.show(<LookupScreen />);
    await userEvent.type(screen.getByRole('searchbox', { name: '搜索顾客' }), '赵');
    await waitFor(() => expect(screen.getByText('没有找到匹配的顾客')).toBeTruthy());
    await userEvent.click(screen.getByRole('button', { name: '注册新会员' }));
    expect(useAppStore.getState().screen).toEqual({ name: 'register' });
  });

  it('says it is searching the local cache when offline, and still finds customers', async () => {
    const { h } = await withCustomers();
    h.setOnline(false);
    h.show(<LookupScreen query="1111" />);
    expect(screen.getByText('离线中：查询本机缓存的顾客')).toBeTruthy();
    await waitFor(() => expect(results().textContent).toContain('李静'));
  });

  it("online, finds a member outside this store's cache at head office, marked 从总部找到, cached to open", async () => {
    const { h } = await withCustomers();
    const far = await makeProfile({ name: '赵敏', phone: '+8613600002222', memberCode: 'M90009' });
    h.hub.elsewhere.set(far.id, { profile: far, phone: '+8613600002222' });
    h.show(<LookupScreen />);
    const box = screen.getByRole('searchbox', { name: '搜索顾客' });
    await userEvent.type(box, '2222 赵敏');
    await waitFor(() => expect(screen.getByText('本店没有，从总部找到 1 位顾客')).toBeTruthy());
    const found = within(results()).getByRole('button');
    expect(found.textContent).toContain('赵敏');
    expect(found.textContent).toContain('从总部找到');
    expect(h.hub.searches).toEqual([{ by: 'tailName', phoneLast4: '2222', name: '赵敏' }]);
    // The feed brought the member before the answer: this terminal has them now, offline too.
    expect((await customerById(h.db, far.id))?.name).toBe('赵敏');
    await userEvent.type(box, '{Enter}');
    expect(useAppStore.getState().screen).toEqual({ name: 'customer', customerId: far.id });
  });

  it('says when head office has no match either, and asks it nothing offline', async () => {
    const { h } = await withCustomers();
    h.show(<LookupScreen />);
    const box = screen.getByRole('searchbox', { name: '搜索顾客' });
    await userEvent.type(box, 'M77777');
    await waitFor(() => expect(screen.getByText('本店和总部都没有找到匹配的顾客')).toBeTruthy());
    expect(h.hub.searches).toEqual([{ by: 'memberCode', memberCode: 'M77777' }]);
    expect(screen.getByRole('button', { name: '注册新会员' })).toBeTruthy();
    h.setOnline(false);
    await userEvent.clear(box);
    await userEvent.type(box, 'M88888');
    await waitFor(() => expect(screen.getByText('没有找到匹配的顾客')).toBeTruthy());
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(screen.getByText('没有找到匹配的顾客')).toBeTruthy();
    expect(h.hub.searches).toHaveLength(1);
  });

  it('shows an error when the local database cannot be read', async () => {
    const { h } = await withCustomers();
    h.db.close();
    h.show(<LookupScreen query="5678" />);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/^查询失败：/));
  });

  it('speaks English when switched', async () => {
    const { h } = await withCustomers();
    h.show(<LookupScreen query="5678" />, 'en');
    await waitFor(() => expect(screen.getByText('Customers found: 2')).toBeTruthy());
  });
});
