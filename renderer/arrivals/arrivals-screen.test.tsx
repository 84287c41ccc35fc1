// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { err, ok } from '../../shared/result';
import { makeHarness, renderWith, resetAppStore, type Harness } from '../testing/test-harness';
import { useAppStore } from '../core/store';
import { storeAlert } from '../data/alerts';
import { makeAlert } from '../data/testing';
import { ArrivalsScreen } from './arrivals-screen';
import { useArrivalNotifications } from './use-arrivals';

const ME = { id: '01960000-0000-7000-8000-0000000000a1', name: '王芳', role: 'guide' as const };

function alertAt(h: Harness, minutesAgo: number, name: string) {
  const at = new Date(h.clock.now.getTime() - minutesAgo * 60_000);
  const base = makeAlert({ storeId: h.storeId });
  return makeAlert({
    storeId: h.storeId,
    at: at.toISOString(),
    expiresAt: new Date(at.getTime() + 30 * 60_000).toISOString(),
    card: {
      ...base.card,
      name,
      tier: 'gold',
      phoneLast4: '5678',
      sizes: { dress: 'M' },
      wishlisted: [
        {
          sku: 'DRS-001-M',
          name: '真丝连衣裙',
          at: at.toISOString(),
          stockHere: 3,
          price: 129_900,
        },
      ],
      carted: [{ sku: 'BAG-1', name: '托特包', at: at.toISOString(), stockHere: 0, price: 45_000 }],
    },
  });
}

function Notifier() {
  useArrivalNotifications(() => undefined);
  return null;
}

describe('arrivals', () => {
  beforeEach(() => {
    resetAppStore();
    localStorage.clear();
    useAppStore.getState().signIn(ME);
  });
  afterEach(cleanup);

  it('says nobody has arrived yet (empty), and shows the offline note when the hub is away', async () => {
    const h = await makeHarness();
    renderWith(h.services, <ArrivalsScreen />);
    expect(await screen.findByText(/暂时没有识别到会员到店/)).toBeTruthy();
    expect(screen.getByRole('status').textContent).toMatch(/离线中/);
  });

  it('lists stored arrivals newest first with tier, 尾号, sizes and stock here', async () => {
    const h = await makeHarness({ start: true });
    await storeAlert(h.services.db, alertAt(h, 12, '陈静'));
    await storeAlert(h.services.db, alertAt(h, 2, '刘洋'));
    renderWith(h.services, <ArrivalsScreen />);
    const cards = await screen.findAllByRole('article');
    expect(cards.map((c) => c.getAttribute('aria-label'))).toEqual(['刘洋', '陈静']);
    const card = within(cards[1]!);
    expect(card.getByText('金卡')).toBeTruthy();
    expect(card.getByText('尾号 5678')).toBeTruthy();
    expect(card.getByText(/12 分钟前到店/)).toBeTruthy();
    expect(card.getByText('连衣裙 M')).toBeTruthy();
    expect(card.getByText('本店有货 3')).toBeTruthy();
    expect(card.getByText('本店无货')).toBeTruthy();
  });

  it('shows a live arrival at once, chimes and asks for an OS notification (tier only)', async () => {
    const h = await makeHarness({ start: true });
    renderWith(
      h.services,
      <>
        <Notifier />
        <ArrivalsScreen />
      </>,
    );
    await screen.findByText(/暂时没有识别到会员到店/);
    const alert = alertAt(h, 0, '陈静');
    h.live().alertNew(alert);
    expect(await screen.findByRole('article', { name: '陈静' })).toBeTruthy();
    expect(h.bridge.notified).toEqual([{ alertId: alert.alertId, tier: 'gold' }]);
  });

  it('claim won: the card says you are serving', async () => {
    const h = await makeHarness({ start: true });
    await storeAlert(h.services.db, alertAt(h, 1, '陈静'));
    const user = userEvent.setup();
    renderWith(h.services, <ArrivalsScreen />);
    await user.click(await screen.findByRole('button', { name: '我来接待' }));
    expect(await screen.findByText('你正在接待')).toBeTruthy();
    expect(screen.queryByRole('button', { name: '我来接待' })).toBeNull();
  });

  it('claim lost: another guide was first, the card shows who has the customer', async () => {
    const h = await makeHarness({ start: true });
    await storeAlert(h.services.db, alertAt(h, 1, '陈静'));
    h.claimAnswers.push(
      ok({
        ok: false as const,
        error: {
          code: 'already_claimed' as const,
          claimedBy: { guideId: '01960000-0000-7000-8000-0000000000b2', name: '李娜' },
        },
      }),
    );
    const user = userEvent.setup();
    renderWith(h.services, <ArrivalsScreen />);
    await user.click(await screen.findByRole('button', { name: '我来接待' }));
    expect(await screen.findByText('慢了一步：李娜 已经接待了')).toBeTruthy();
    expect(await screen.findByText('李娜 正在接待')).toBeTruthy();
  });

  it('claim while the hub is unreachable says so (error state)', async () => {
    const h = await makeHarness({ start: true });
    await storeAlert(h.services.db, alertAt(h, 1, '陈静'));
    h.claimAnswers.push(err({ code: 'server' as const, message: 'HTTP 503' }));
    const user = userEvent.setup();
    renderWith(h.services, <ArrivalsScreen />);
    await user.click(await screen.findByRole('button', { name: '我来接待' }));
    expect((await screen.findByRole('alert')).textContent).toBe('认领失败：HTTP 503');
  });

  it('shows an arrival unclaimed for 30 minutes as expired, without a claim button', async () => {
    const h = await makeHarness({ start: true });
    await storeAlert(h.services.db, alertAt(h, 31, '陈静'));
    renderWith(h.services, <ArrivalsScreen />);
    expect(await screen.findByText('已过期（30 分钟无人接待）')).toBeTruthy();
    expect(screen.queryByRole('button', { name: '我来接待' })).toBeNull();
  });

  it('dismiss hides the card on this terminal; tapping the name opens the 360; 开单 starts an order', async () => {
    const h = await makeHarness({ start: true });
    const a = alertAt(h, 1, '陈静');
    await storeAlert(h.services.db, a);
    await storeAlert(h.services.db, alertAt(h, 3, '刘洋'));
    const user = userEvent.setup();
    renderWith(h.services, <ArrivalsScreen />);
    const card = await screen.findByRole('article', { name: '陈静' });
    await user.click(within(card).getByRole('button', { name: '查看 陈静 的顾客档案' }));
    expect(useAppStore.getState().screen).toEqual({
      name: 'customer',
      customerId: a.card.customerId,
    });
    await user.click(within(card).getByRole('button', { name: '开单' }));
    expect(useAppStore.getState().screen).toEqual({
      name: 'order',
      customerId: a.card.customerId,
      alertId: a.alertId,
    });
    await user.click(within(card).getByRole('button', { name: '忽略' }));
    await waitFor(() => expect(screen.queryByRole('article', { name: '陈静' })).toBeNull());
    expect(screen.getByRole('article', { name: '刘洋' })).toBeTruthy();
  });
});
