// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { makeHarness, renderWith, resetAppStore, type Harness } from '../testing/test-harness';
import { enqueueOrder } from '../data/outbox';
import { makeProfile } from '../data/testing';
import { SyncIndicator } from './sync-indicator';
import { SyncPanel } from './sync-panel';

function order(h: Harness, sku: string) {
  return {
    id: newId(),
    storeId: h.storeId,
    terminalId: h.services.terminal.terminalId,
    guideId: newId(),
    paymentMethod: 'wechat',
    createdAt: h.clock.now.toISOString(),
    lines: [{ sku, quantity: 2, unitPrice: 10_000, discount: 0 }],
  };
}

describe('sync status', () => {
  beforeEach(() => {
    resetAppStore();
  });
  afterEach(cleanup);

  it('offline: the header shows offline, how many orders wait and since when', async () => {
    const h = await makeHarness();
    h.hub.faults.offline = true;
    await enqueueOrder(
      h.services.db,
      order(h, 'A-1'),
      new Date(h.clock.now.getTime() - 7 * 60_000),
    );
    await enqueueOrder(h.services.db, order(h, 'A-2'), h.clock.now);
    await h.services.engine.start();
    renderWith(h.services, <SyncIndicator />);
    const indicator = await screen.findByRole('button', { name: '同步状态' });
    await waitFor(() => expect(indicator.textContent).toContain('待上传 2 条 · 最早 7 分钟前'));
    expect(within(indicator).getByRole('status', { name: 'hub status' }).textContent).toBe(
      '未连接',
    );
  });

  it('an order queued while offline counts in the header at once, from the engine status', async () => {
    const h = await makeHarness();
    h.hub.faults.offline = true;
    await h.services.engine.start();
    renderWith(h.services, <SyncIndicator />);
    const indicator = await screen.findByRole('button', { name: '同步状态' });
    await waitFor(() => expect(indicator.textContent).not.toContain('待上传'));
    await enqueueOrder(h.services.db, order(h, 'A-1'), h.clock.now);
    await waitFor(() => expect(indicator.textContent).toContain('待上传 1 条'));
    expect(h.services.engine.status.get().pendingCount).toBe(1);
  });

  it('lists pending items, and once online shows nothing pending', async () => {
    const h = await makeHarness();
    h.hub.faults.offline = true;
    await enqueueOrder(h.services.db, order(h, 'A-1'), h.clock.now);
    await h.services.engine.start();
    renderWith(h.services, <SyncPanel />);
    const pending = await screen.findByRole('list', { name: '等待上传' });
    expect(within(pending).getAllByRole('listitem')).toHaveLength(1);
    expect(pending.textContent).toContain('¥200.00');
    h.hub.faults.offline = false;
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: '立即同步' }));
    expect(await screen.findByText('没有等待上传的记录。')).toBeTruthy();
    expect(h.hub.orders.size).toBe(1);
  });

  it('shows a rejected order with the hub’s reason, and resubmits it once fixed', async () => {
    const h = await makeHarness();
    h.hub.rejectSkus.add('GONE-1');
    await enqueueOrder(h.services.db, order(h, 'GONE-1'), h.clock.now);
    await h.services.engine.start();
    renderWith(h.services, <SyncPanel />);
    const rejected = await screen.findByRole('list', { name: '被总部退回' });
    expect(rejected.textContent).toContain('原因：unknown SKU GONE-1');
    h.hub.rejectSkus.clear(); // the manager re-activated the product at head office
    const user = userEvent.setup();
    await user.click(within(rejected).getByRole('button', { name: '重新提交' }));
    expect(await screen.findByText('没有被退回的记录。')).toBeTruthy();
    expect(h.hub.orders.size).toBe(1);
  });

  it('lists a customer row set aside with its reason, reported to head office; the rest synced', async () => {
    const h = await makeHarness();
    const good = h.hub.upsertCustomer(await makeProfile({ name: '王芳' }));
    // A row out of the protocol's range, as an unpatched hub could send it (issue #12).
    const bad = h.hub.upsertCustomer({
      ...(await makeProfile({ name: '李娜' })),
      lifetimeSpend: 1e16,
    });
    await h.services.engine.start();
    renderWith(h.services, <SyncPanel />);
    const list = await screen.findByRole('list', { name: '未能读取的同步数据' });
    await waitFor(() => expect(list.textContent).toContain('已报告总部'));
    expect(list.textContent).toContain('会员');
    expect(list.textContent).toContain(bad.id);
    expect(list.textContent).toContain('lifetimeSpend');
    // The reason carries no personal data: not the name, not the amount.
    expect(list.textContent).not.toContain('李娜');
    expect(h.hub.feedRejects.map((r) => r.id)).toEqual([bad.id]);
    expect(await h.services.db.customerStore.get(good.id)).toBeDefined();
  });
});
