// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import type { Order } from '../../shared/protocol';
import { useAppStore } from '../core/store';
import { enqueueOrder } from '../data/outbox';
import { enqueueReturn } from '../data/returns';
import { makeGuide, makeProduct } from '../data/testing';
import { createHarness } from '../testing/screen-testing';
import { TodayScreen } from './today-screen';

afterEach(cleanup);

/**
 * The harness's clock is 2026-11-02T10:05Z, 18:05 in Shanghai: the store's today is
 * [2026-11-01T16:00Z, 2026-11-02T16:00Z).
 */
async function setup() {
  const h = createHarness();
  const other = { id: newId(), name: '王芳' };
  await h.db.staff.bulkPut([
    makeGuide({ id: h.guide.id, name: '李娜', storeId: h.storeId }),
    makeGuide({ id: other.id, name: '王芳', storeId: h.storeId }),
  ]);
  const coat = makeProduct({
    sku: 'COAT-M',
    name: '羊毛大衣',
    colour: '驼色',
    size: 'M',
    price: 129_900,
  });
  await h.seedProducts([coat]);
  h.hub.products.set(coat.id, coat);
  h.hub.staff.push(
    makeGuide({ id: h.guide.id, name: '李娜', storeId: h.storeId }),
    makeGuide({ id: other.id, name: '王芳', storeId: h.storeId }),
  );
  const sale = (createdAt: string, over: Partial<Order> = {}): Order => ({
    id: newId(),
    storeId: h.storeId,
    terminalId: h.services.terminal.terminalId,
    guideId: h.guide.id,
    paymentMethod: 'wechat',
    createdAt,
    lines: [{ sku: 'COAT-M', quantity: 1, unitPrice: 129_900, discount: 9_900 }],
    ...over,
  });
  const morning = sale('2026-11-02T01:00:00.000Z'); // 09:00, sent
  const yesterday = sale('2026-11-01T15:59:00.000Z'); // 23:59 the day before
  const evening = sale('2026-11-02T09:30:00.000Z', { paymentMethod: 'cash' }); // 17:30, not sent
  // The second counter's order, at the hub only.
  h.hub.terminalNames.set(h.services.terminal.terminalId, h.services.terminal.name);
  const otherCounter = newId();
  h.hub.terminalNames.set(otherCounter, 'Counter 2');
  const theirs = sale('2026-11-02T06:00:00.000Z', {
    terminalId: otherCounter,
    guideId: other.id,
    lines: [{ sku: 'COAT-M', quantity: 2, unitPrice: 129_900, discount: 0 }],
  });
  h.hub.orders.set(theirs.id, theirs);
  for (const o of [morning, yesterday]) await enqueueOrder(h.db, o);
  await h.engine.drain();
  await enqueueOrder(h.db, evening);
  return { h, morning, evening, theirs, other };
}

const rows = () =>
  within(screen.getByRole('table'))
    .getAllByRole('row')
    .slice(1)
    .map((r) =>
      within(r)
        .getAllByRole('cell')
        .slice(0, 7)
        .map((c) => c.textContent),
    );

describe('TodayScreen (今日订单)', () => {
  it("lists this counter's orders of the store's today with their sync state, then the whole store's", async () => {
    const { h } = await setup();
    h.show(<TodayScreen />);
    await screen.findByRole('table');
    expect(rows()).toEqual([
      ['17:30', '收银台 1', '李娜', '1', '¥1,200.00', '现金', '待同步'],
      ['09:00', '收银台 1', '李娜', '1', '¥1,200.00', '微信', '已同步'],
    ]);
    expect(screen.getByRole('status', { name: '今日合计' }).textContent).toBe(
      '共 2 笔 · ¥2,400.00',
    );

    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: '全店' }));
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(rows()[1]).toEqual(['14:00', 'Counter 2', '王芳', '2', '¥2,598.00', '微信', '已同步']);
    expect(screen.getByRole('status', { name: '今日合计' }).textContent).toBe(
      '共 3 笔 · ¥4,998.00',
    );
  });

  it("filters by guide, opens this counter's order on its receipt and reprints another counter's", async () => {
    const { h, morning, theirs, other } = await setup();
    h.show(<TodayScreen />);
    await screen.findByRole('table');
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: '全店' }));
    await waitFor(() => expect(rows()).toHaveLength(3));
    await user.selectOptions(screen.getByLabelText('导购'), other.id);
    await waitFor(() => expect(rows()).toHaveLength(1));

    await user.click(screen.getByRole('button', { name: /查看 .* ¥2,598.00/ }));
    const remote = screen.getByRole('article', { name: '其他收银台的订单' });
    const line = within(remote).getByRole('listitem');
    await waitFor(() => expect(line.textContent).toContain('羊毛大衣 驼色 · M'));
    expect(line.textContent).toContain('× 2 · ¥2,598.00');
    expect(within(line).getByText('COAT-M').tagName).toBe('SMALL');
    await user.click(within(remote).getByRole('button', { name: '打印小票' }));
    await screen.findByText('已发送到打印机');
    expect(h.bridge.printed).toHaveLength(1);
    expect(h.bridge.printed[0]).toMatchObject({
      orderId: theirs.id,
      total: 259_800,
      guideName: '王芳',
      lines: [{ name: '羊毛大衣', sku: 'COAT-M', colour: '驼色', size: 'M', quantity: 2 }],
    });

    await user.selectOptions(screen.getByLabelText('导购'), '');
    await waitFor(() => expect(rows()).toHaveLength(3));
    await user.click(screen.getByRole('button', { name: /查看 2026-11-02T01:00/ }));
    expect(useAppStore.getState().screen).toEqual({ name: 'receipt', orderId: morning.id });
  });

  it("names another counter's line by the hub's colour and size, also for a SKU this terminal does not cache", async () => {
    const { h } = await setup();
    // At the hub only (sold at the other counter; not in this terminal's catalog).
    const tee = makeProduct({ sku: 'TEE-BLU-XL', name: '棉T恤', colour: '雾霾蓝', size: 'XL' });
    h.hub.products.set(tee.id, tee);
    const theirs: Order = {
      id: newId(),
      storeId: h.storeId,
      terminalId: newId(),
      guideId: h.guide.id,
      paymentMethod: 'alipay',
      createdAt: '2026-11-02T07:00:00.000Z',
      lines: [{ sku: 'TEE-BLU-XL', quantity: 1, unitPrice: 9_990, discount: 0 }],
    };
    h.hub.orders.set(theirs.id, theirs);
    h.show(<TodayScreen />);
    await screen.findByRole('table');
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: '全店' }));
    await user.click(await screen.findByRole('button', { name: /查看 .* ¥99.90/ }));
    const remote = screen.getByRole('article', { name: '其他收银台的订单' });
    const line = within(remote).getByRole('listitem');
    expect(line.textContent).toContain('棉T恤 雾霾蓝 · XL');
    await user.click(within(remote).getByRole('button', { name: '打印小票' }));
    await screen.findByText('已发送到打印机');
    expect(h.bridge.printed[0]).toMatchObject({
      orderId: theirs.id,
      lines: [{ name: '棉T恤', sku: 'TEE-BLU-XL', colour: '雾霾蓝', size: 'XL', quantity: 1 }],
    });
  });

  it("offline: this counter's orders from the terminal, and the whole store says it cannot be shown", async () => {
    const { h } = await setup();
    h.hub.faults.offline = true;
    h.show(<TodayScreen />);
    await screen.findByRole('table');
    expect(rows().map((r) => r[0])).toEqual(['17:30', '09:00']);
    expect(screen.getByText(/离线：显示本机保存的订单/)).toBeTruthy();
    await userEvent.setup().click(screen.getByRole('button', { name: '全店' }));
    expect(await screen.findByText(/离线：总部暂时连不上，只显示本机的订单/)).toBeTruthy();
    expect(rows()).toHaveLength(2);
  });

  it('says 已作废 at once for a void queued here (offline), and opens 售后 from the row', async () => {
    const { h, morning, evening } = await setup();
    h.hub.faults.offline = true;
    const back = (orderId: string, kind: 'return' | 'void') => ({
      id: newId(),
      orderId,
      storeId: h.storeId,
      terminalId: h.services.terminal.terminalId,
      guideId: h.guide.id,
      kind,
      reason: kind === 'void' ? 'entry_mistake' : 'size',
      createdAt: '2026-11-02T10:00:00.000Z',
      lines: [{ lineNo: 1, quantity: 1 }],
    });
    expect((await enqueueReturn(h.db, back(morning.id, 'void'), () => 'COAT-M')).ok).toBe(true);
    h.show(<TodayScreen />);
    await screen.findByRole('table');
    expect(rows().map((r) => r[6])).toEqual(['待同步', '已同步 · 已作废']);
    // A voided order has nothing left to take back.
    const morningRow = within(screen.getByRole('table')).getAllByRole('row')[2]!;
    expect(within(morningRow).getByRole('button', { name: '售后' })).toHaveProperty(
      'disabled',
      true,
    );
    const user = userEvent.setup();
    const eveningRow = within(screen.getByRole('table')).getAllByRole('row')[1]!;
    await user.click(within(eveningRow).getByRole('button', { name: '售后' }));
    expect(useAppStore.getState().screen).toEqual({ name: 'afterSale', orderId: evening.id });
  });
});
