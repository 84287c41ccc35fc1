import { describe, expect, it } from 'vitest';
import { formatFen, lineTotal, orderTotals, parseYuanToFen } from './money';

describe('money in fen', () => {
  it('totals a line as quantity × unit price − the line discount', () => {
    expect(lineTotal({ quantity: 2, unitPrice: 59_900, discount: 10_000 })).toBe(109_800);
    expect(lineTotal({ quantity: 1, unitPrice: 12_900, discount: 0 })).toBe(12_900);
    expect(lineTotal({ quantity: 3, unitPrice: 100, discount: 300 })).toBe(0);
  });

  it('totals an order and counts its units', () => {
    expect(
      orderTotals([
        { quantity: 2, unitPrice: 59_900, discount: 10_000 },
        { quantity: 1, unitPrice: 12_900, discount: 0 },
      ]),
    ).toEqual({ total: 122_700, units: 3 });
    expect(orderTotals([])).toEqual({ total: 0, units: 0 });
  });

  it('stays exact where floating-point yuan would not', () => {
    // 0.1 + 0.2 yuan is 30 fen exactly, not 0.30000000000000004 yuan.
    expect(
      orderTotals([
        { quantity: 1, unitPrice: 10, discount: 0 },
        { quantity: 1, unitPrice: 20, discount: 0 },
      ]).total,
    ).toBe(30);
    // A large basket stays an integer: 200 lines of 10,000 × ¥9,999.99.
    const big = orderTotals(
      Array.from({ length: 200 }, () => ({ quantity: 10_000, unitPrice: 999_999, discount: 1 })),
    );
    expect(big.total).toBe(200 * (10_000 * 999_999 - 1));
    expect(Number.isSafeInteger(big.total)).toBe(true);
    expect(big.units).toBe(2_000_000);
  });

  it('parses what a person types in yuan into fen', () => {
    expect(parseYuanToFen('12')).toBe(1_200);
    expect(parseYuanToFen('12.5')).toBe(1_250);
    expect(parseYuanToFen('12.50')).toBe(1_250);
    expect(parseYuanToFen(' 0.07 ')).toBe(7);
    expect(parseYuanToFen('19.99')).toBe(1_999); // 19.99 * 100 is 1998.9999… in floating point
    expect(parseYuanToFen('12.')).toBe(1_200);
  });

  it('refuses amounts that are not plain yuan', () => {
    for (const input of ['', 'abc', '-5', '1.234', '1,000', '¥12', '1e3', '12.5.0'])
      expect(parseYuanToFen(input), input).toBeNull();
  });

  it('formats fen as CNY', () => {
    expect(formatFen(12_345)).toBe('¥123.45');
    expect(formatFen(0)).toBe('¥0.00');
    expect(formatFen(100_000_000)).toBe('¥1,000,000.00');
  });
});
