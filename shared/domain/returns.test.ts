import { describe, expect, it } from 'vitest';
import { lineRefund, needsManagerApproval, overReturn, returnTotals } from './returns';

const line = { lineNo: 1, quantity: 3, unitPrice: 1000, discount: 1, returned: 0 };

describe('after-sale refunds', () => {
  it('refunds a discounted line unit by unit to exactly what was paid for it', () => {
    const paid = 3 * 1000 - 1;
    const one = lineRefund(line, 1);
    const two = lineRefund({ ...line, returned: 1 }, 1);
    const three = lineRefund({ ...line, returned: 2 }, 1);
    expect(one + two + three).toBe(paid);
    expect(lineRefund(line, 3)).toBe(paid);
  });

  it('names the lines a return asks too much of, adding up repeats of a line', () => {
    const sold = [line, { ...line, lineNo: 2, quantity: 1, returned: 1 }];
    expect(overReturn(sold, [{ lineNo: 1, quantity: 3 }])).toEqual([]);
    expect(
      overReturn(sold, [
        { lineNo: 1, quantity: 2 },
        { lineNo: 1, quantity: 2 },
      ]),
    ).toEqual([1]);
    expect(overReturn(sold, [{ lineNo: 2, quantity: 1 }])).toEqual([2]);
    expect(overReturn(sold, [{ lineNo: 9, quantity: 1 }])).toEqual([9]);
  });

  it('totals a return and asks for the manager only above the threshold', () => {
    expect(returnTotals([line], [{ lineNo: 1, quantity: 2 }])).toEqual({
      amount: 1999,
      units: 2,
      lines: [{ lineNo: 1, quantity: 2, amount: 1999 }],
    });
    expect(needsManagerApproval(50_000, 50_000)).toBe(false);
    expect(needsManagerApproval(50_001, 50_000)).toBe(true);
    expect(needsManagerApproval(1e9, null)).toBe(false);
  });
});
