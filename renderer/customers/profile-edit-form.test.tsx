// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { getCustomer } from '../data/customers';
import { openOutboxEntries } from '../data/outbox-rows';
import { makeProfile } from '../data/testing';
import { CustomerScreen } from './customer-screen';
import { createHarness } from '../testing/screen-testing';

afterEach(cleanup);

async function setup() {
  const h = createHarness();
  const profile = await makeProfile({
    name: '王芳',
    phone: '+8613812345678',
    sizes: { top: 'M', shoe: '37' },
    favouriteCategories: ['连衣裙', '大衣'],
    tags: ['VIP', '喜欢羊绒'],
    notes: '周末常来',
  });
  await h.seedCustomers([profile]);
  h.hub.upsertCustomer(profile);
  return { h, profile };
}

describe('编辑资料 (profile edit form)', () => {
  it('saves only the changed fields to the outbox (sealed), shows them on the 360 at once and sends them once', async () => {
    const { h, profile } = await setup();
    const user = userEvent.setup();
    h.show(<CustomerScreen customerId={profile.id} />);
    await user.click(await screen.findByRole('button', { name: '编辑资料' }));
    const form = screen.getByRole('dialog', { name: '编辑 王芳 的资料' });

    const top = within(form).getByLabelText('上装');
    await user.clear(top);
    await user.type(top, 'L');
    await user.clear(within(form).getByLabelText('鞋'));
    const categories = within(form).getByRole('group', { name: '偏好品类' });
    expect(
      within(categories).getByRole('button', { name: '大衣' }).getAttribute('aria-pressed'),
    ).toBe('true');
    await user.click(within(categories).getByRole('button', { name: '大衣' }));
    await user.click(within(categories).getByRole('button', { name: '衬衫' }));
    await user.click(within(form).getByRole('button', { name: '删除标签 VIP' }));
    await user.type(within(form).getByLabelText('新标签'), '常客{Enter}');
    const notes = within(form).getByLabelText('备注');
    await user.clear(notes);
    await user.type(notes, '肩宽，上装大一码');
    await user.click(within(form).getByRole('button', { name: '保存' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const page = () => document.body.textContent ?? '';
    expect(page()).toContain('上装 L');
    expect(page()).not.toContain('鞋 37');
    expect(page()).toContain('连衣裙、衬衫');
    expect(page()).toContain('肩宽，上装大一码');
    const tags = screen.getByRole('list', { name: '标签' });
    expect(
      within(tags)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['喜欢羊绒', '常客']);

    // One outbox entry with the changed fields only; what it carries is sealed at rest.
    const rows = await h.db.outbox.toArray();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows[0])).not.toContain('肩宽');
    const [entry] = await openOutboxEntries(h.db.sealer, rows);
    expect(entry?.kind).toBe('profile_edit');
    if (entry?.kind !== 'profile_edit') return;
    expect(entry.profileEdit).toMatchObject({ customerId: profile.id, guideId: h.guide.id });
    expect(entry.profileEdit.changes).toEqual({
      sizes: { top: 'L', shoe: null },
      favouriteCategories: ['连衣裙', '衬衫'],
      tags: ['喜欢羊绒', '常客'],
      notes: '肩宽，上装大一码',
    });
    // The cached profile has it (search results, the card, offline).
    const cached = await getCustomer(h.db, profile.id);
    expect(cached?.sizes).toEqual({ top: 'L' });
    // The drain the save asked for delivers it to the hub once.
    await waitFor(async () => expect((await h.db.outbox.get(entry.id))?.status).toBe('synced'));
    await h.engine.requestDrain();
    expect([...h.hub.profileEdits.keys()]).toEqual([entry.id]);
    expect(h.hub.customers.get(profile.id)).toMatchObject({
      notes: '肩宽，上装大一码',
      tags: ['喜欢羊绒', '常客'],
    });
  });

  it('cancel, or saving without a change, writes nothing', async () => {
    const { h, profile } = await setup();
    const user = userEvent.setup();
    h.show(<CustomerScreen customerId={profile.id} />);
    await user.click(await screen.findByRole('button', { name: '编辑资料' }));
    await user.type(screen.getByLabelText('新标签'), '临时');
    await user.click(screen.getByRole('button', { name: '取消' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    await user.click(screen.getByRole('button', { name: '编辑资料' }));
    await user.click(screen.getByRole('button', { name: '保存' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(await h.db.outbox.count()).toBe(0);
    expect(document.body.textContent).toContain('VIP');
  });

  it('speaks English, and a member registered here and not yet synced cannot be edited', async () => {
    const h = createHarness({ online: false });
    const provisional = { ...(await makeProfile({ name: 'Ada' })), provisional: true };
    await h.seedCustomers([provisional]);
    h.show(<CustomerScreen customerId={provisional.id} />, 'en');
    const button = await screen.findByRole('button', { name: 'Edit profile' });
    expect((button as HTMLButtonElement).disabled).toBe(true);
  });
});
