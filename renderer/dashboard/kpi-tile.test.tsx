// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { I18nextProvider } from 'react-i18next';
import type { ReactElement } from 'react';
import { change, kpiRatios, emptyCounts } from '../../shared/domain/kpi';
import { testI18n } from '../testing/i18n';
import { KpiTile } from './kpi-tile';

afterEach(cleanup);

const show = (ui: ReactElement) =>
  render(<I18nextProvider i18n={testI18n('zh-CN')}>{ui}</I18nextProvider>);
const tile = (name: string) => screen.getByRole('group', { name });

describe('KPI tile', () => {
  it('shows the value and a rise against last week in the "up" colour', () => {
    show(<KpiTile label="销售额" value={1234550} format="fen" change={change(1234550, 1000000)} />);
    const t = tile('销售额');
    expect(within(t).getByTestId('kpi-value').textContent).toBe('¥12,345.50');
    const delta = within(t).getByLabelText(/较上周同期/);
    expect(delta.textContent).toContain('▲ 23.5%');
    expect(delta.className).toContain('kpi-change--up');
  });

  it('colours a rise of a figure where lower is better (refunds) as bad news, the arrow still up', () => {
    show(
      <KpiTile
        label="退款"
        value={30000}
        format="fen"
        change={change(30000, 20000)}
        lowerIsBetter
      />,
    );
    const delta = within(tile('退款')).getByLabelText(/较上周同期/);
    expect(delta.textContent).toContain('▲ 50.0%');
    expect(delta.className).toContain('kpi-change--down');
  });

  it('colours a fall of such a figure as good news', () => {
    show(
      <KpiTile
        label="退货率"
        value={0.05}
        format="percent"
        change={null}
        baseline={0.1}
        lowerIsBetter
      />,
    );
    const delta = within(tile('退货率')).getByLabelText(/较上周同期/);
    expect(delta.textContent).toContain('▼');
    expect(delta.className).toContain('kpi-change--up');
  });

  it('shows a fall with ▼ in the "down" colour', () => {
    show(<KpiTile label="客流" value={80} format="count" change={change(80, 100)} />);
    const delta = within(tile('客流')).getByLabelText(/较上周同期/);
    expect(delta.textContent).toContain('▼ 20.0%');
    expect(delta.className).toContain('kpi-change--down');
  });

  it('shows "—" for a ratio with a zero denominator and for a change without a baseline', () => {
    const ratios = kpiRatios({ ...emptyCounts(), revenue: 0, orders: 0 });
    show(
      <KpiTile
        label="客单价"
        value={ratios.atv}
        format="fen"
        change={change(ratios.atv, 15000)}
        hint="销售额 ÷ 订单数"
      />,
    );
    const t = tile('客单价');
    expect(within(t).getByTestId('kpi-value').textContent).toBe('—');
    expect(within(t).getByLabelText(/较上周同期/).textContent).toContain('—');
    expect(t.textContent).not.toMatch(/NaN|Infinity/);
    expect(within(t).getByText('销售额 ÷ 订单数')).toBeTruthy();
  });

  it('shows a placeholder, not a zero, while the first figures load', () => {
    show(<KpiTile label="订单数" value={null} format="count" change={null} loading />);
    const t = tile('订单数');
    expect(t.getAttribute('aria-busy')).toBe('true');
    expect(within(t).getByLabelText('正在读取门店数据…')).toBeTruthy();
    expect(within(t).getByTestId('kpi-value').textContent).not.toContain('0');
  });
});
