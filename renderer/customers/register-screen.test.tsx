// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { act, cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { useAppStore } from '../core/store';
import { searchCustomers } from '../data/customers';
import { decryptPhone } from '../data/phone-cipher';
import { openOutboxEntries } from '../data/outbox-rows';
import { memorySecretStore } from '../data/secret-store';
import { makeProduct, makeProfile, TEST_PHONE_KEY } from '../data/testing';
import { RegisterScreen } from './register-screen';
import { createHarness } from '../testing/screen-testing';

afterEach(cleanup);

const field = (name: string) => screen.getByRole('textbox', { name });

describe('RegisterScreen', () => {
  it('saves a registration to the outbox with the phone normalised, consent off by default, and opens the 360', async () => {
    const h = createHarness({ online: false });
    h.show(<RegisterScreen phone="138 0013 8000" />);
    expect(screen.getByText('离线中：注册会先保存在本机，联网后自动上传')).toBeTruthy();
    const consent = screen.getByRole('checkbox', { name: '同意接收营销信息（短信、微信）' });
    expect(consent).toHaveProperty('checked', false);
    expect(field('手机号')).toHaveProperty('value', '138 0013 8000');

    await userEvent.type(field('姓名'), '陈晓');
    await userEvent.click(screen.getByRole('radio', { name: '女' }));
    await userEvent.type(field('上装'), 'S');
    await userEvent.click(screen.getByRole('button', { name: '保存并注册' }));

    await waitFor(() => expect(useAppStore.getState().screen.name).toBe('customer'));
    const [entry] = await openOutboxEntries(h.db.sealer, await h.db.outbox.toArray());
    expect(entry?.kind).toBe('registration');
    if (entry?.kind !== 'registration') throw new Error('no registration');
    expect(entry.status).toBe('pending');
    expect(entry.registration).toMatchObject({
      name: '陈晓',
      gender: 'female',
      sizes: { top: 'S' },
      consentMarketing: false,
      guideId: h.guide.id,
    });
    expect(await decryptPhone(TEST_PHONE_KEY, entry.registration.phoneCipher!)).toBe(
      '+8613800138000',
    );
    expect(useAppStore.getState().screen).toEqual({ name: 'customer', customerId: entry.id });
    // Searchable at once by 尾号, before the hub has it.
    const found = await searchCustomers(h.db, memorySecretStore({ phoneHashKey: TEST_PHONE_KEY }), {
      query: '8000',
    });
    expect(found.map((c) => c.name)).toEqual(['陈晓']);
  });

  it('online, sends the registration to the hub at once', async () => {
    const h = createHarness();
    h.show(<RegisterScreen phone="13900139000" />);
    await userEvent.type(field('姓名'), '周敏');
    await userEvent.click(screen.getByRole('button', { name: '保存并注册' }));
    await waitFor(async () =>
      expect(
        (await openOutboxEntries(h.db.sealer, await h.db.outbox.toArray())).map((e) => e.status),
      ).toEqual(['synced']),
    );
    expect(h.hub.liveCustomers().map((c) => c.name)).toContain('周敏');
  });

  it('a double tap registers the customer once', async () => {
    const h = createHarness({ online: false });
    h.show(<RegisterScreen phone="13600136000" />);
    await userEvent.type(field('姓名'), '陈晓');
    const save = screen.getByRole('button', { name: '保存并注册' });
    act(() => {
      save.click();
      save.click();
    });
    await waitFor(() => expect(useAppStore.getState().screen.name).toBe('customer'));
    expect(await h.db.outbox.count()).toBe(1);
  });

  it('rejects an invalid phone and saves nothing', async () => {
    const h = createHarness();
    h.show(<RegisterScreen />);
    await userEvent.type(field('姓名'), '陈晓');
    await userEvent.type(field('手机号'), '12345');
    await userEvent.click(screen.getByRole('button', { name: '保存并注册' }));
    expect(screen.getByRole('alert').textContent).toBe('请输入有效的手机号码');
    expect(field('手机号').getAttribute('aria-invalid')).toBe('true');
    expect(await h.db.outbox.count()).toBe(0);
  });

  it('requires a name', async () => {
    const h = createHarness();
    h.show(<RegisterScreen phone="13800138000" />);
    await userEvent.click(screen.getByRole('button', { name: '保存并注册' }));
    expect(screen.getByRole('alert').textContent).toBe('请输入姓名');
    expect(await h.db.outbox.count()).toBe(0);
  });

  it('warns about an existing member with the same phone and offers to open them instead', async () => {
    const h = createHarness();
    const existing = await makeProfile({ name: '王芳', phone: '+8613812345678' });
    await h.seedCustomers([existing]);
    h.show(<RegisterScreen />);
    await userEvent.type(field('姓名'), '王芳芳');
    await userEvent.type(field('手机号'), '+86 138-1234-5678');
    const warning = await screen.findByText('该手机号可能已是会员：王芳（尾号 5678）');
    expect(warning).toBeTruthy();
    expect(screen.getByRole('button', { name: '保存并注册' })).toHaveProperty('disabled', true);
    await userEvent.click(screen.getByRole('button', { name: '查看该会员' }));
    expect(useAppStore.getState().screen).toEqual({ name: 'customer', customerId: existing.id });
    expect(await h.db.outbox.count()).toBe(0);
  });

  it('attaches the new member to the order in progress', async () => {
    const h = createHarness();
    useAppStore.getState().addProductToDraft(makeProduct({ sku: 'TEE-1' }));
    h.show(<RegisterScreen phone="13700137000" />);
    await userEvent.type(field('姓名'), 'Anna Li');
    expect(screen.getByRole('checkbox', { name: '注册后加入当前订单' })).toHaveProperty(
      'checked',
      true,
    );
    await userEvent.click(screen.getByRole('button', { name: '保存并注册' }));
    await waitFor(() => expect(useAppStore.getState().screen.name).toBe('order'));
    const [entry] = await openOutboxEntries(h.db.sealer, await h.db.outbox.toArray());
    expect(useAppStore.getState().orderDraft.customerId).toBe(entry!.id);
    expect(useAppStore.getState().orderDraft.lines.map((l) => l.sku)).toEqual(['TEE-1']);
  });

  it('shows the error when the terminal cannot save', async () => {
    const h = createHarness();
    // A terminal whose phone-hash key is gone (wiped secrets) cannot register anyone.
    h.services.phoneHashKey = '';
    h.show(<RegisterScreen phone="13700137000" />);
    await userEvent.type(field('姓名'), '陈晓');
    await userEvent.click(screen.getByRole('button', { name: '保存并注册' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/^保存失败：/);
    expect(useAppStore.getState().screen.name).toBe('arrivals');
  });
});
