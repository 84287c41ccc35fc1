// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import type { FollowUpItem } from '../../shared/protocol';
import { useAppStore } from '../core/store';
import { makeProfile } from '../data/testing';
import { makeHarness, renderWith, resetAppStore, type Harness } from '../testing/test-harness';
import { FollowUpsScreen } from './follow-ups-screen';

const ME = { id: '01960000-0000-7000-8000-0000000000a1', name: '王芳', role: 'guide' as const };
const COLLEAGUE = '01960000-0000-7000-8000-0000000000b2';
/** The harness's clock: Mon 2 Nov 2026, 18:05 in Shanghai (10:05Z). */
const NOW = new Date('2026-11-02T10:05:00.000Z');

async function task(
  h: Harness,
  name: string,
  over: Partial<FollowUpItem> & Pick<FollowUpItem, 'kind' | 'dueAt'>,
): Promise<FollowUpItem> {
  const customer = await makeProfile({ name, tier: 'gold' });
  h.hub.upsertCustomer(customer);
  const item: FollowUpItem = {
    id: newId(),
    storeId: h.storeId,
    customerId: customer.id,
    guideId: null,
    detail: {},
    status: 'open',
    outcome: null,
    doneAt: null,
    ...over,
  };
  h.hub.upsertFollowUp(item);
  return item;
}

describe('跟进 (follow-ups) tab', () => {
  beforeEach(() => {
    resetAppStore();
    localStorage.clear();
    useAppStore.getState().signIn(ME);
  });
  afterEach(cleanup);

  it('lists due and overdue tasks, mine first then the store pool, with tier and why', async () => {
    const h = await makeHarness({ now: NOW });
    // Due yesterday (overdue), mine, a visit without purchase with its reason.
    await task(h, '陈静', {
      kind: 'visit_no_purchase',
      dueAt: '2026-10-31T16:00:00.000Z', // 1 Nov 00:00 Shanghai
      guideId: ME.id,
      detail: { reason: 'size_missing' },
    });
    // Due today 00:00 local, store pool, a wish-listed coat cheaper.
    await task(h, '刘洋', {
      kind: 'wishlist',
      dueAt: '2026-11-01T16:00:00.000Z',
      detail: { sku: 'COAT-9', change: 'cheaper', oldPrice: 129_900, newPrice: 99_900 },
    });
    // Not due yet (tomorrow), and a colleague's task: neither shown to a guide.
    await task(h, '明天的顾客', { kind: 'birthday', dueAt: '2026-11-02T16:00:00.000Z' });
    await task(h, '同事的顾客', {
      kind: 'after_purchase',
      dueAt: '2026-11-01T16:00:00.000Z',
      guideId: COLLEAGUE,
      detail: { days: 7 },
    });
    await h.services.engine.start();
    await h.services.engine.settled();
    renderWith(h.services, <FollowUpsScreen />);

    const lists = await screen.findAllByRole('list');
    expect(lists.map((l) => l.getAttribute('aria-label'))).toEqual(['我的顾客', '门店公共池']);
    const mine = within(lists[0]!).getByRole('article');
    expect(mine.getAttribute('aria-label')).toBe('陈静');
    expect(within(mine).getByText('金卡')).toBeTruthy();
    expect(within(mine).getByText('到店未购买：尺码缺货')).toBeTruthy();
    expect(within(mine).getByText(/已逾期/)).toBeTruthy();
    const pool = within(lists[1]!).getByRole('article');
    expect(pool.getAttribute('aria-label')).toBe('刘洋');
    expect(within(pool).getByText(/心愿单商品降价：COAT-9/)).toBeTruthy();
    expect(within(pool).getByText(/今日/)).toBeTruthy();
    expect(screen.queryByText('明天的顾客')).toBeNull();
    expect(screen.queryByText('同事的顾客')).toBeNull();
  });

  it('records an outcome offline: the task leaves the list, and reaches the hub once when back', async () => {
    const h = await makeHarness({ now: NOW });
    const t = await task(h, '陈静', { kind: 'birthday', dueAt: '2026-11-01T16:00:00.000Z' });
    await h.services.engine.start();
    await h.services.engine.settled();
    h.hub.faults.offline = true;
    renderWith(h.services, <FollowUpsScreen />);
    const card = within(await screen.findByRole('article', { name: '陈静' }));
    expect(card.getByText('生日周')).toBeTruthy();
    await userEvent.click(card.getByRole('button', { name: '记录结果' }));
    const choices = within(card.getByRole('radiogroup', { name: '陈静 的跟进结果' }));
    expect(choices.getAllByRole('radio').map((r) => r.textContent)).toEqual([
      '已联系',
      '已到店',
      '已购买',
      '无意向',
      '联系不上',
    ]);
    await userEvent.click(choices.getByRole('radio', { name: '已到店' }));
    await userEvent.type(card.getByLabelText('备注（可选）'), '周末来试穿');
    await userEvent.click(card.getByRole('button', { name: '保存' }));
    // The card is gone; the screen says the outcome was kept.
    expect(await screen.findByText('已记录，联网后同步到总部')).toBeTruthy();
    expect(await screen.findByText('今天没有要跟进的顾客。')).toBeTruthy();
    await h.services.engine.settled();
    expect(h.hub.followUpOutcomes.size).toBe(0);

    h.hub.faults.offline = false;
    await h.services.engine.drain();
    await h.services.engine.drain();
    await waitFor(() => expect(h.hub.followUps.get(t.id)?.status).toBe('done'));
    expect([...h.hub.followUpOutcomes.values()]).toEqual([
      expect.objectContaining({
        taskId: t.id,
        guideId: ME.id,
        outcome: 'came_back',
        note: '周末来试穿',
      }),
    ]);
    expect([...h.hub.outcomePosts.values()]).toEqual([1]);
  });
});
