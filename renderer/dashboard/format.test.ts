import { describe, expect, it } from 'vitest';
import { change, kpiRatios, emptyCounts } from '../../shared/domain/kpi';
import { formatChange, formatKpi, formatPointChange, NO_VALUE } from './format';

describe('dashboard formatting', () => {
  it('shows "—" for every ratio of a day without footfall or orders, never NaN or Infinity', () => {
    const ratios = kpiRatios(emptyCounts());
    expect(formatKpi(ratios.conversionRate, 'percent', 'zh-CN')).toBe(NO_VALUE);
    expect(formatKpi(ratios.atv, 'fen', 'zh-CN')).toBe(NO_VALUE);
    expect(formatKpi(ratios.upt, 'decimal', 'zh-CN')).toBe(NO_VALUE);
    expect(formatKpi(Number.NaN, 'count', 'zh-CN')).toBe(NO_VALUE);
    expect(formatKpi(Number.POSITIVE_INFINITY, 'percent', 'zh-CN')).toBe(NO_VALUE);
  });

  it('formats counts, yuan from fen, percentages and UPT as a manager reads them', () => {
    expect(formatKpi(12345, 'count', 'zh-CN')).toBe('12,345');
    expect(formatKpi(1234550, 'fen', 'zh-CN')).toBe('¥12,345.50');
    expect(formatKpi(0.2345, 'percent', 'zh-CN')).toBe('23.5%');
    expect(formatKpi(1.5, 'decimal', 'zh-CN')).toBe('1.50');
  });

  it('marks the change against last week up, down, flat, or "—" without a baseline', () => {
    expect(formatChange(change(120, 100), 'zh-CN')).toEqual({ text: '▲ 20.0%', direction: 'up' });
    expect(formatChange(change(75, 100), 'zh-CN')).toEqual({ text: '▼ 25.0%', direction: 'down' });
    expect(formatChange(change(100, 100), 'zh-CN')).toEqual({ text: '±0.0%', direction: 'flat' });
    expect(formatChange(change(5, 0), 'zh-CN')).toEqual({ text: NO_VALUE, direction: 'none' });
    expect(formatChange(change(null, 10), 'zh-CN')).toEqual({ text: NO_VALUE, direction: 'none' });
  });

  it('compares rates in percentage points, "—" when either side is undefined', () => {
    expect(formatPointChange(0.25, 0.16, 'zh-CN')).toEqual({ text: '▲ 9.0pp', direction: 'up' });
    expect(formatPointChange(0.2, 0.223, 'zh-CN')).toEqual({ text: '▼ 2.3pp', direction: 'down' });
    expect(formatPointChange(0.2, 0.2001, 'zh-CN')).toEqual({ text: '±0.0pp', direction: 'flat' });
    expect(formatPointChange(0.2, null, 'zh-CN')).toEqual({ text: NO_VALUE, direction: 'none' });
    expect(formatPointChange(null, 0.2, 'zh-CN')).toEqual({ text: NO_VALUE, direction: 'none' });
  });
});
