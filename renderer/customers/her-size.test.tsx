// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import type { Order, ProductItem } from '../../shared/protocol';
import { useAppStore } from '../core/store';
import { storeAlert } from '../data/alerts';
import { enqueueOrder } from '../data/outbox';
import { makeAlert, makeProduct, makeProfile } from '../data/testing';
import { ArrivalsScreen } from '../arrivals/arrivals-screen';
import { createHarness } from '../testing/screen-testing';
import { CustomerScreen } from './customer-screen';

afterEach(cleanup);

/** A shirt style in two colours and four sizes, as the hub's catalog feed caches it. */
function shirtStyle(stock: Record<string, number>): ProductItem[] {
  return ['黑色', '白色'].flatMap((colour) =>
    ['S', 'M', 'L', 'XL'].map((size) => {
      const sku = `SGSH01-${colour === '黑色' ? 'BLK' : 'WHT'}-${size}`;
      return makeProduct({
        sku,
        name: `牛津纺衬衫 ${colour}`,
        category: '衬衫',
        styleCode: 'SGSH01',
        sizeKind: 'top',
        size,
        colour,
        stock: stock[sku] ?? 0,
      });
    }),
  );
}

async function setup(stock: Record<string, number>, online = true) {
  const h = createHarness({ online });
  await h.seedProducts([
    ...shirtStyle(stock),
    makeProduct({
      sku: 'SGBG01-BLK-OS',
      name: '托特包 黑色',
      category: '包袋',
      styleCode: 'SGBG01',
      sizeKind: null,
      size: '均码',
      colour: '黑色',
      stock: 2,
    }),
  ]);
  // She looked at the black shirt in S online (not her size), and wish-listed the bag.
  const profile = await makeProfile({
    name: '王芳',
    sizes: { top: 'M' },
    online: {
      viewed: [{ sku: 'SGSH01-BLK-S', name: '牛津纺衬衫 黑色', at: '2026-11-01T02:00:00Z' }],
      carted: [],
      wishlisted: [{ sku: 'SGBG01-BLK-OS', at: '2026-11-01T03:00:00Z' }],
      onlineOrders: 0,
      onlineSpend: 0,
    },
  });
  await h.seedCustomers([profile]);
  return { h, profile };
}

describe('her size on the 360', () => {
  it('says her M is here although she viewed the S, lists other sizes and colours, and adds her M in one tap', async () => {
    const { h, profile } = await setup({
      'SGSH01-BLK-S': 1,
      'SGSH01-BLK-M': 3,
      'SGSH01-BLK-XL': 2,
      'SGSH01-WHT-M': 4,
      'SGSH01-WHT-L': 1,
    });
    h.show(<CustomerScreen customerId={profile.id} />);
    const viewed = await screen.findByRole('list', { name: '最近浏览' });
    await waitFor(() => expect(viewed.textContent).toContain('她的 M 码有货 3 件'));
    // Other sizes of the colour she looked at, in size order; the other colour with its sizes.
    expect(viewed.textContent).toContain('其他尺码: S 1 件 · XL 2 件');
    expect(viewed.textContent).toContain('其他颜色: 白色 M 4 件 · L 1 件');

    await userEvent.click(
      within(viewed).getByRole('button', { name: '把 牛津纺衬衫 黑色（黑色 M）加入订单' }),
    );
    expect(useAppStore.getState().screen).toEqual({
      name: 'order',
      customerId: profile.id,
      addSku: 'SGSH01-BLK-M',
    });
  });

  it('offers her size in another colour when her colour is out, and says when it is nowhere here', async () => {
    const first = await setup({ 'SGSH01-BLK-S': 1, 'SGSH01-WHT-M': 2 });
    first.h.show(<CustomerScreen customerId={first.profile.id} />);
    const viewed = await screen.findByRole('list', { name: '最近浏览' });
    await waitFor(() => expect(viewed.textContent).toContain('她的 M 码有货（白色）2 件'));
    expect(
      within(viewed).getByRole('button', { name: '把 牛津纺衬衫 黑色（白色 M）加入订单' }),
    ).toBeTruthy();
    cleanup();

    const second = await setup({ 'SGSH01-BLK-S': 1, 'SGSH01-BLK-L': 5 });
    second.h.show(<CustomerScreen customerId={second.profile.id} />);
    const again = await screen.findByRole('list', { name: '最近浏览' });
    await waitFor(() => expect(again.textContent).toContain('她的 M 码本店无货'));
    expect(again.textContent).toContain('其他尺码: S 1 件 · L 5 件');
    // Nothing of her size to add.
    expect(within(again).queryByRole('button', { name: /（.* M）加入订单/ })).toBeNull();
  });

  it('counts this terminal’s own unsynced sale at once (offline), never below zero', async () => {
    const { h, profile } = await setup({ 'SGSH01-BLK-M': 1, 'SGSH01-BLK-S': 1 }, false);
    const order: Order = {
      id: newId(),
      storeId: h.storeId,
      terminalId: h.services.terminal.terminalId,
      guideId: h.guide.id,
      paymentMethod: 'cash',
      createdAt: '2026-11-02T10:00:00.000Z',
      lines: [{ sku: 'SGSH01-BLK-M', quantity: 2, unitPrice: 29_900, discount: 0 }],
    };
    expect((await enqueueOrder(h.db, order)).ok).toBe(true);
    h.show(<CustomerScreen customerId={profile.id} />);
    const viewed = await screen.findByRole('list', { name: '最近浏览' });
    await waitFor(() => expect(viewed.textContent).toContain('她的 M 码本店无货'));
    expect(viewed.textContent).not.toContain('-1');
    // Offline: no other-stores lookup offered.
    expect(within(viewed).queryByRole('button', { name: '其他门店库存' })).toBeNull();
  });

  it('one-size items: the bag is her size; online, other stores are listed nearest first', async () => {
    const { h, profile } = await setup({});
    const [near, far] = [newId(), newId()];
    h.hub.otherStores.set('SGBG01-BLK-OS', [
      { storeId: near, name: '杭州西湖店', stock: 3, distanceM: 164_200 },
      { storeId: far, name: '北京三里屯店', stock: 8, distanceM: 1_067_000 },
    ]);
    h.show(<CustomerScreen customerId={profile.id} />);
    const wish = await screen.findByRole('list', { name: '心愿单' });
    await waitFor(() => expect(wish.textContent).toContain('均码 · 本店有货 2 件'));
    await userEvent.click(within(wish).getByRole('button', { name: '其他门店库存' }));
    const stores = await within(wish).findByRole('list', { name: '其他门店库存' });
    expect(
      within(stores)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['杭州西湖店 · 164 公里 · 3 件', '北京三里屯店 · 1,067 公里 · 8 件']);
  });

  it('speaks English too', async () => {
    const { h, profile } = await setup({ 'SGSH01-BLK-M': 3 });
    h.show(<CustomerScreen customerId={profile.id} />, 'en');
    await waitFor(() => expect(document.body.textContent).toContain('Her size M: 3 here'));
    expect(
      screen.getByRole('button', { name: 'Add 牛津纺衬衫 黑色 (黑色 M) to the order' }),
    ).toBeTruthy();
  });
});

describe('her size on the arrival card', () => {
  type Setup = Awaited<ReturnType<typeof setup>>;
  type Card = ReturnType<typeof makeAlert>['card'];
  /** Her arrival just now, stored as the terminal keeps it: her card with these lists. */
  async function arrival(
    { h, profile }: Setup,
    lists: Pick<Card, 'viewed' | 'carted' | 'wishlisted'>,
  ) {
    const base = makeAlert({ storeId: h.storeId });
    const alert = makeAlert({
      storeId: h.storeId,
      at: h.services.now().toISOString(),
      expiresAt: new Date(h.services.now().getTime() + 30 * 60_000).toISOString(),
      card: { ...base.card, customerId: profile.id, name: '王芳', sizes: { top: 'M' }, ...lists },
    });
    await storeAlert(h.db, alert);
    h.show(<ArrivalsScreen />);
    return { alert, card: await screen.findByRole('article', { name: '王芳' }) };
  }

  it('shows her size from the cache and starts the order from the alert with her size', async () => {
    const her = await setup({ 'SGSH01-BLK-M': 3, 'SGSH01-BLK-S': 0 });
    const at = her.h.services.now().toISOString();
    const { alert, card } = await arrival(her, {
      wishlisted: [],
      carted: [],
      // The card's own figure is from the moment she walked in; the cache is newer.
      viewed: [{ sku: 'SGSH01-BLK-S', name: '牛津纺衬衫 黑色', at, stockHere: 4, price: 29_900 }],
    });
    await waitFor(() => expect(card.textContent).toContain('她的 M 码有货 3 件'));
    expect(card.textContent).toContain('本店无货');
    await userEvent.click(
      within(card).getByRole('button', { name: '把 牛津纺衬衫 黑色（黑色 M）加入订单' }),
    );
    expect(useAppStore.getState().screen).toEqual({
      name: 'order',
      customerId: her.profile.id,
      alertId: alert.alertId,
      addSku: 'SGSH01-BLK-M',
    });
  });

  it('names the size of each SKU she looked at, so two sizes of one style do not read as twins', async () => {
    const her = await setup({ 'SGSH01-BLK-M': 3, 'SGSH01-BLK-L': 2 });
    const at = her.h.services.now().toISOString();
    const item = (sku: string, name: string) => ({ sku, name, at, stockHere: 1, price: 29_900 });
    const { card } = await arrival(her, {
      carted: [],
      viewed: [item('SGSH01-BLK-M', '牛津纺衬衫 黑色'), item('SGSH01-BLK-L', '牛津纺衬衫 黑色')],
      // one size: nothing to name
      wishlisted: [item('SGBG01-BLK-OS', '托特包 黑色')],
    });
    const viewed = within(card).getByRole('list', { name: '浏览' });
    await waitFor(() =>
      expect(
        within(viewed)
          .getAllByText(/^牛津纺衬衫 黑色/)
          .map((e) => e.textContent),
      ).toEqual(['牛津纺衬衫 黑色M 码', '牛津纺衬衫 黑色L 码']),
    );
    const wished = within(card).getByRole('list', { name: '心愿单' });
    expect(within(wished).getByText(/^托特包 黑色/).textContent).toBe('托特包 黑色');
  });
});
