// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { makeHarness, renderWith, resetAppStore, type Harness } from '../testing/test-harness';
import { ManagerGateProvider } from '../core/manager-gate';
import { useAppStore } from '../core/store';
import { enqueueOrder, enqueueRegistration, recordResults } from '../data/outbox';
import { enqueueReturn } from '../data/returns';
import { applyCustomerItems, customerPageTables } from '../data/customers';
import { enqueueProfileEdit } from '../data/profile-edits';
import { memorySecretStore } from '../data/secret-store';
import { makeProfile, TEST_PHONE_KEY } from '../data/testing';
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

  it('shows a rejected order with the reason in Chinese, and resubmits it once head office fixed it', async () => {
    const h = await makeHarness();
    h.hub.rejectSkus.add('GONE-1');
    await enqueueOrder(h.services.db, order(h, 'GONE-1'), h.clock.now);
    await h.services.engine.start();
    renderWith(h.services, <SyncPanel />);
    const rejected = await screen.findByRole('list', { name: '被总部退回' });
    expect(within(rejected).getByRole('note').textContent).toBe(
      '总部没有这些商品（可能已下架）：GONE-1',
    );
    // The hub's own words stay beside it, for support.
    expect(rejected.textContent).toContain('原因：unknown SKU: GONE-1');
    // Every line refused: nothing to sell without them, so no "remove and resubmit".
    expect(within(rejected).queryByRole('button', { name: '删去无效商品后重新提交' })).toBeNull();
    h.hub.rejectSkus.clear(); // the manager re-activated the product at head office
    const user = userEvent.setup();
    await user.click(within(rejected).getByRole('button', { name: '重新提交' }));
    expect(await screen.findByText('没有被退回的记录。')).toBeTruthy();
    expect(h.hub.orders.size).toBe(1);
  });

  it('removes the refused items and sends the rest, once', async () => {
    const h = await makeHarness();
    h.hub.rejectSkus.add('GONE-1');
    const sale = {
      ...order(h, 'A-1'),
      lines: [
        { sku: 'A-1', quantity: 1, unitPrice: 30_000, discount: 0 },
        { sku: 'GONE-1', quantity: 2, unitPrice: 10_000, discount: 0 },
      ],
    };
    await enqueueOrder(h.services.db, sale, h.clock.now);
    await h.services.engine.start();
    renderWith(h.services, <SyncPanel />);
    const rejected = await screen.findByRole('list', { name: '被总部退回' });
    const user = userEvent.setup();
    await user.click(within(rejected).getByRole('button', { name: '删去无效商品后重新提交' }));
    expect(await screen.findByText('没有被退回的记录。')).toBeTruthy();
    await waitFor(() =>
      expect(h.hub.orders.get(sale.id)?.lines.map((l) => l.sku)).toEqual(['A-1']),
    );
    expect(h.hub.orderPosts.get(sale.id)).toBe(2);
  });

  it('credits the signed-in guide when the order’s guide was deactivated', async () => {
    const h = await makeHarness();
    const sale = order(h, 'A-1');
    h.hub.inactiveGuides.add(sale.guideId);
    const me = { id: newId(), name: '王芳', role: 'guide' as const };
    useAppStore.setState({ guide: me });
    await enqueueOrder(h.services.db, sale, h.clock.now);
    await h.services.engine.start();
    renderWith(h.services, <SyncPanel />);
    const rejected = await screen.findByRole('list', { name: '被总部退回' });
    expect(within(rejected).getByRole('note').textContent).toBe('记在这笔订单上的导购已停用。');
    await userEvent
      .setup()
      .click(within(rejected).getByRole('button', { name: '改记在王芳名下并重新提交' }));
    await waitFor(() => expect(h.hub.orders.get(sale.id)?.guideId).toBe(me.id));
  });

  it('takes a corrected phone number for a refused registration and sends it', async () => {
    const h = await makeHarness();
    const id = newId();
    const secrets = memorySecretStore({ phoneHashKey: TEST_PHONE_KEY });
    await enqueueRegistration(h.services.db, secrets, { id, name: '赵敏', phone: '13987654321' });
    // As the real hub refuses a number it cannot accept (the fake accepts what the terminal does).
    await recordResults(h.services.db, [
      { id, status: 'rejected', code: 'invalid_phone', reason: 'invalid phone number' },
    ]);
    await h.services.engine.start();
    renderWith(h.services, <SyncPanel />);
    const rejected = await screen.findByRole('list', { name: '被总部退回' });
    expect(within(rejected).getByRole('note').textContent).toBe('手机号不正确，请重新输入。');
    const user = userEvent.setup();
    await user.type(within(rejected).getByLabelText('正确的手机号'), '13800135678');
    await user.click(within(rejected).getByRole('button', { name: '修改手机号并重新提交' }));
    expect(await screen.findByText('没有被退回的记录。')).toBeTruthy();
    await waitFor(() => expect(h.hub.customers.get(id)).toMatchObject({ phoneLast4: '5678' }));
  });

  it('says in Chinese why head office refused a return (over-return, with the lines)', async () => {
    const h = await makeHarness();
    const sale = order(h, 'COAT-M');
    await enqueueOrder(h.services.db, sale);
    const id = newId();
    const queued = await enqueueReturn(
      h.services.db,
      {
        id,
        orderId: sale.id,
        storeId: h.storeId,
        terminalId: h.services.terminal.terminalId,
        guideId: sale.guideId,
        kind: 'return',
        reason: 'size',
        createdAt: h.clock.now.toISOString(),
        lines: [{ lineNo: 1, quantity: 2 }],
      },
      () => 'COAT-M',
    );
    expect(queued.ok).toBe(true);
    // As the real hub answers a return of more than is left (the fake does not count units).
    await recordResults(h.services.db, [
      {
        id,
        status: 'rejected',
        code: 'over_return',
        reason: 'more units than are left to return on line(s) 1',
        about: ['1'],
      },
    ]);
    renderWith(h.services, <SyncPanel />);
    const rejected = await screen.findByRole('list', { name: '被总部退回' });
    expect(within(rejected).getByRole('note').textContent).toBe(
      '退货数量超过了原订单可退的数量（第 1 行）。',
    );
    expect(rejected.textContent).toContain('退货 / 作废 / 换货');
    expect(rejected.textContent).toContain('2 件');
  });

  it('names a refused profile edit, how many fields (never their values), and why in Chinese', async () => {
    const h = await makeHarness();
    const member = await makeProfile({ name: '王芳', notes: '' });
    await h.services.db.transaction('rw', customerPageTables(h.services.db), () =>
      applyCustomerItems(h.services.db, [member]),
    );
    const id = newId();
    const queued = await enqueueProfileEdit(h.services.db, {
      id,
      customerId: member.id,
      guideId: newId(),
      at: h.clock.now.toISOString(),
      changes: { sizes: { top: 'L' }, notes: '她的私事' },
    });
    expect(queued.ok).toBe(true);
    // As the real hub answers an edit of a member head office erased meanwhile.
    await recordResults(h.services.db, [
      { id, status: 'rejected', code: 'customer_erased', reason: 'the member was erased' },
    ]);
    renderWith(h.services, <SyncPanel />);
    const rejected = await screen.findByRole('list', { name: '被总部退回' });
    expect(within(rejected).getByRole('note').textContent).toBe(
      '这位会员的资料已在总部删除，修改无法保存。',
    );
    expect(rejected.textContent).toContain('会员资料修改');
    expect(rejected.textContent).toContain('改了 2 项');
    expect(rejected.textContent).not.toContain('她的私事');
  });

  it('giving up an order needs the manager; the choice is audited at head office with its total', async () => {
    const h = await makeHarness();
    h.hub.rejectSkus.add('GONE-1');
    const sale = order(h, 'GONE-1');
    await enqueueOrder(h.services.db, sale, h.clock.now);
    await h.services.engine.start();
    const user = userEvent.setup();
    // No manager confirmed (no gate): the reasons are not offered.
    const first = renderWith(h.services, <SyncPanel />);
    await user.click(await screen.findByRole('button', { name: '放弃这条记录…' }));
    expect(screen.getByText(/放弃订单需要店长确认/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: '顾客已取消 / 已退款' })).toBeNull();
    first.unmount();
    // The manager confirmed (the shell's step-up is the gate; here it lets the manager through).
    renderWith(
      h.services,
      <ManagerGateProvider gate={(children) => children}>
        <SyncPanel />
      </ManagerGateProvider>,
    );
    await user.click(await screen.findByRole('button', { name: '放弃这条记录…' }));
    await user.click(screen.getByRole('button', { name: '顾客已取消 / 已退款' }));
    expect(await screen.findByText('没有被退回的记录。')).toBeTruthy();
    await h.services.engine.syncNow();
    const audited = [...h.hub.audit.values()].find((e) => e.action === 'outbox_discarded');
    expect(audited?.detail).toEqual({
      outboxId: sale.id,
      kind: 'order',
      rejectCode: 'unknown_sku',
      discardReason: 'cancelled',
      total: 20_000,
    });
    expect(h.hub.orders.size).toBe(0);
  });

  it('speaks English to an English-speaking guide', async () => {
    const h = await makeHarness();
    h.hub.rejectSkus.add('GONE-1');
    await enqueueOrder(h.services.db, order(h, 'GONE-1'), h.clock.now);
    await h.services.engine.start();
    renderWith(h.services, <SyncPanel />, 'en');
    const rejected = await screen.findByRole('list', { name: 'Rejected by head office' });
    expect(within(rejected).getByRole('note').textContent).toBe(
      'Head office does not sell these products (discontinued?): GONE-1',
    );
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
