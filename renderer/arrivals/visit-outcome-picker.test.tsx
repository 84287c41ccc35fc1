// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useAppStore } from '../core/store';
import { storeAlert } from '../data/alerts';
import { makeAlert } from '../data/testing';
import { makeHarness, renderWith, resetAppStore, type Harness } from '../testing/test-harness';
import { ArrivalsScreen } from './arrivals-screen';

const ME = { id: '01960000-0000-7000-8000-0000000000a1', name: '王芳', role: 'guide' as const };

async function claimedArrival(h: Harness, name: string, claimedBy: string | null = ME.id) {
  const at = new Date(h.clock.now.getTime() - 5 * 60_000).toISOString();
  const alert = makeAlert({
    storeId: h.storeId,
    at,
    expiresAt: new Date(h.clock.now.getTime() + 25 * 60_000).toISOString(),
    status: claimedBy ? 'claimed' : 'open',
    claimedBy: claimedBy ? { guideId: claimedBy, name: '王芳' } : null,
    claimedAt: claimedBy ? at : null,
  });
  await storeAlert(h.services.db, { ...alert, card: { ...alert.card, name } });
  return alert;
}

describe('no-purchase reason on the claimed arrival card', () => {
  beforeEach(() => {
    resetAppStore();
    localStorage.clear();
    useAppStore.getState().signIn(ME);
  });
  afterEach(cleanup);

  it('one tap records the reason; the card says so and the hub gets it exactly once', async () => {
    const h = await makeHarness({ start: true });
    const alert = await claimedArrival(h, '陈静');
    renderWith(h.services, <ArrivalsScreen />);
    const card = within(await screen.findByRole('article', { name: '陈静' }));
    const picker = within(await card.findByRole('group', { name: '未购买离店？' }));
    expect(picker.getAllByRole('button').map((b) => b.textContent)).toEqual([
      '尺码缺货',
      '价格',
      '随便看看',
      '会再来',
      '其他',
    ]);
    await userEvent.click(picker.getByRole('button', { name: '尺码缺货' }));
    expect(await card.findByText('已记录未购买原因：尺码缺货')).toBeTruthy();
    expect(card.queryByRole('group', { name: '未购买离店？' })).toBeNull();
    await waitFor(() => expect(h.hub.visitOutcomes.size).toBe(1));
    await h.services.engine.drain();
    const [sent] = [...h.hub.visitOutcomes.values()];
    expect(sent).toMatchObject({ alertId: alert.alertId, guideId: ME.id, reason: 'size_missing' });
    expect([...h.hub.outcomePosts.values()]).toEqual([1]);
  });

  it('其他 asks for a note before it can be saved, offline too', async () => {
    const h = await makeHarness();
    // Offline: saving asks for a drain, which must find the hub unreachable (before, the hub was
    // reachable and the test raced that drain — 1 run in 3 saw the outcome arrive early).
    h.hub.faults.offline = true;
    await claimedArrival(h, '刘洋');
    renderWith(h.services, <ArrivalsScreen />);
    const card = within(await screen.findByRole('article', { name: '刘洋' }));
    await userEvent.click(await card.findByRole('button', { name: '其他' }));
    const save = card.getByRole('button', { name: '保存' });
    expect((save as HTMLButtonElement).disabled).toBe(true);
    await userEvent.type(card.getByLabelText('原因'), '等朋友一起来');
    await userEvent.click(save);
    expect(await card.findByText('已记录未购买原因：其他')).toBeTruthy();
    // Offline: nothing reached the hub, the entry waits in the outbox.
    expect(h.hub.visitOutcomes.size).toBe(0);
    h.hub.faults.offline = false;
    await h.services.engine.drain();
    expect([...h.hub.visitOutcomes.values()]).toEqual([
      expect.objectContaining({ reason: 'other', note: '等朋友一起来' }),
    ]);
  });

  it('is not offered on an open card or a colleague’s customer', async () => {
    const h = await makeHarness();
    await claimedArrival(h, '张伟', null);
    await claimedArrival(h, '李娜的顾客', '01960000-0000-7000-8000-0000000000b2');
    await claimedArrival(h, '我的顾客');
    renderWith(h.services, <ArrivalsScreen />);
    // Only the card of the customer this guide serves offers it.
    const mine = await screen.findByRole('group', { name: '未购买离店？' });
    expect(screen.getAllByRole('group', { name: '未购买离店？' })).toEqual([mine]);
    expect(mine.closest('article')?.getAttribute('aria-label')).toBe('我的顾客');
  });
});
