// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { cleanup, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import type { Order } from '../../shared/protocol';
import { ManagerApprovalProvider, type ManagerApproval } from '../core/manager-approval';
import { useAppStore } from '../core/store';
import { enqueueOrder, outboxItems } from '../data/outbox';
import { heldUnits } from '../data/stock-holds';
import { makeGuide, makeProduct } from '../data/testing';
import { createHarness } from '../testing/screen-testing';
import { AfterSaleScreen } from './after-sale-screen';

afterEach(cleanup);

const MANAGER_PIN = '731586';

/** The harness's clock is 2026-11-02T10:05Z, 18:05 in Shanghai. */
async function setup(threshold: number | null = 150_000) {
  const h = createHarness();
  h.services.terminal.settings.returnApprovalAboveFen = threshold;
  const manager = makeGuide({ name: '张伟', role: 'manager', storeId: h.storeId });
  await h.db.staff.bulkPut([makeGuide({ id: h.guide.id, storeId: h.storeId }), manager]);
  const coat = makeProduct({
    sku: 'COAT-M',
    name: '羊毛大衣',
    colour: '驼色',
    size: 'M',
    price: 129_900,
  });
  const scarf = makeProduct({
    sku: 'SCARF',
    name: '羊绒围巾',
    colour: '燕麦色',
    size: null,
    price: 39_900,
  });
  await h.seedProducts([coat, scarf]);
  for (const p of [coat, scarf]) h.hub.products.set(p.id, p);
  const order: Order = {
    id: newId(),
    storeId: h.storeId,
    terminalId: h.services.terminal.terminalId,
    guideId: h.guide.id,
    paymentMethod: 'wechat',
    createdAt: '2026-11-02T09:30:00.000Z',
    lines: [
      { sku: 'COAT-M', quantity: 2, unitPrice: 129_900, discount: 9_900 },
      { sku: 'SCARF', quantity: 1, unitPrice: 39_900, discount: 0 },
    ],
  };
  await enqueueOrder(h.db, order);
  const asked: string[] = [];
  const approve: ManagerApproval = async (managerId, pin) => {
    asked.push(managerId);
    return managerId === manager.id && pin === MANAGER_PIN
      ? { ok: true, managerId }
      : { ok: false, message: 'PIN 码不对' };
  };
  const show = () =>
    h.show(
      <ManagerApprovalProvider approve={approve}>
        <AfterSaleScreen orderId={order.id} />
      </ManagerApprovalProvider>,
    );
  return { h, order, manager, asked, show };
}

const returns = async (h: ReturnType<typeof createHarness>) =>
  (await outboxItems(h.db)).pending.filter((e) => e.kind === 'return');

describe('AfterSaleScreen (售后)', () => {
  it('offline: a partial return with a required reason, queued once, stock back at once', async () => {
    const { h, order, show } = await setup();
    h.hub.faults.offline = true;
    h.setOnline(false);
    show();
    const user = userEvent.setup();
    const submit = await screen.findByRole('button', { name: '确认退货退款' });
    expect(submit).toHaveProperty('disabled', true);

    const coat = screen.getByLabelText('第 1 行 羊毛大衣 退回数量');
    await user.clear(coat);
    await user.type(coat, '1');
    // 2 coats for ¥2,499.00 after the discount: one is half of it.
    expect(screen.getByRole('status', { name: '退款金额' }).textContent).toBe('¥1,249.50');
    expect(submit).toHaveProperty('disabled', true); // no reason yet
    await user.selectOptions(screen.getByLabelText('原因（必选）'), 'size');
    expect(screen.queryByText(/需要店长输入 PIN/)).toBeNull();
    await user.click(submit);
    expect(await screen.findByText(/已记录，将通过同步送到总部/)).toBeTruthy();

    const queued = await returns(h);
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({
      kind: 'return',
      orderReturn: {
        orderId: order.id,
        kind: 'return',
        reason: 'size',
        guideId: h.guide.id,
        lines: [{ lineNo: 1, quantity: 1 }],
      },
    });
    expect(queued[0]!.kind === 'return' && queued[0]!.orderReturn.managerId).toBeUndefined();
    // The sale held 2 coats off the shelf; the return puts 1 back before the hub knows.
    expect((await heldUnits(h.db)).get('COAT-M')).toBe(1);

    // Back online: the order goes first, then its return, each exactly once.
    h.hub.faults.offline = false;
    h.setOnline(true);
    await h.engine.drain();
    await h.engine.drain();
    expect([...h.hub.returns.values()]).toEqual([
      queued[0]!.kind === 'return' && queued[0]!.orderReturn,
    ]);
    expect(await returns(h)).toHaveLength(0);
  });

  it.each([
    ['online, from the hub', true],
    ['offline, from this counter', false],
  ])('names each line by colour and size, the SKU small (%s)', async (_, online) => {
    const { h, show } = await setup();
    if (online) await h.engine.drain();
    else {
      h.hub.faults.offline = true;
      h.setOnline(false);
    }
    show();
    await screen.findByRole('button', { name: '确认退货退款' });
    const [coat, scarf] = within(screen.getByRole('table')).getAllByRole('row').slice(1);
    expect(within(coat!).getAllByRole('cell')[0]!.textContent).toBe('羊毛大衣 驼色 · M COAT-M');
    expect(within(coat!).getByText('COAT-M').tagName).toBe('SMALL');
    expect(within(scarf!).getAllByRole('cell')[0]!.textContent).toBe('羊绒围巾 燕麦色 SCARF');
  });

  it("above the hub's threshold the store manager approves with their PIN; the return names them", async () => {
    const { h, manager, asked, show } = await setup(100_000);
    show();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: '作废' }));
    expect(screen.getByText(/作废只能在下单当天/)).toBeTruthy();
    // A void takes the whole order back: ¥2,499.00 + ¥399.00.
    expect(screen.getByRole('status', { name: '退款金额' }).textContent).toBe('¥2,898.00');
    await user.selectOptions(screen.getByLabelText('原因（必选）'), 'other');
    const approval = screen.getByRole('group', {
      name: /退款超过 ¥1,000.00，需要店长输入 PIN 确认/,
    });
    const submit = screen.getByRole('button', { name: '确认作废' });
    expect(submit).toHaveProperty('disabled', true);

    await user.selectOptions(within(approval).getByLabelText('店长'), manager.id);
    await user.type(within(approval).getByLabelText('店长 PIN'), '000000');
    await user.click(within(approval).getByRole('button', { name: '店长确认' }));
    expect((await screen.findByRole('alert')).textContent).toBe('PIN 码不对');
    await user.type(within(approval).getByLabelText('店长 PIN'), MANAGER_PIN);
    await user.click(within(approval).getByRole('button', { name: '店长确认' }));
    expect(await screen.findByText('张伟 已确认')).toBeTruthy();
    expect(asked).toEqual([manager.id, manager.id]);
    // "Other" needs a note before it can go.
    expect(submit).toHaveProperty('disabled', true);
    await user.type(screen.getByLabelText('备注'), '顾客付款方式选错');
    await user.click(submit);
    await screen.findByText(/已记录/);

    const [queued] = await returns(h);
    expect(queued).toMatchObject({
      orderReturn: {
        kind: 'void',
        reason: 'other',
        note: '顾客付款方式选错',
        managerId: manager.id,
        lines: [
          { lineNo: 1, quantity: 2 },
          { lineNo: 2, quantity: 1 },
        ],
      },
    });
    await user.click(screen.getByRole('button', { name: '回到今日订单' }));
    expect(useAppStore.getState().screen).toEqual({ name: 'today' });
  });

  it('an exchange reserves the new order id and starts its draft; a returned order cannot go again', async () => {
    const { h, show } = await setup(null);
    show();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: '换货' }));
    await user.type(screen.getByLabelText('第 2 行 羊绒围巾 退回数量'), '1');
    await user.selectOptions(screen.getByLabelText('原因（必选）'), 'quality');
    await user.click(screen.getByRole('button', { name: '确认换货' }));
    await screen.findByText(/请为顾客开换货的新单/);
    const [queued] = await returns(h);
    const exchangeOrderId = queued?.kind === 'return' ? queued.orderReturn.exchangeOrderId : '';
    expect(exchangeOrderId).toMatch(/^[0-9a-f-]{36}$/);
    expect(useAppStore.getState().orderDraft).toMatchObject({ orderId: exchangeOrderId });
    cleanup();

    // Both coats back too: everything has come back, so the screen says so and offers nothing.
    show();
    const coat = await screen.findByLabelText('第 1 行 羊毛大衣 退回数量');
    expect(screen.getByRole('button', { name: '作废' })).toHaveProperty('disabled', true);
    await user.type(coat, '2');
    await user.selectOptions(screen.getByLabelText('原因（必选）'), 'changed_mind');
    await user.click(screen.getByRole('button', { name: '确认退货退款' }));
    await screen.findByText(/已记录/);
    cleanup();
    show();
    expect(await screen.findByText('这笔订单已全部退回。')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /确认/ })).toBeNull();
  });
});
