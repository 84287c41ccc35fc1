import { describe, expect, it } from 'vitest';
import {
  aggregateCount,
  customerProfile,
  lineQuantity,
  orderTotalFen,
  points,
  spendFen,
  unitPriceFen,
} from '../protocol';
import {
  clampTo,
  MAX_COUNT,
  MAX_LINES_PER_ORDER,
  MAX_ORDER_TOTAL_FEN,
  MAX_POINTS,
  MAX_QUANTITY_PER_LINE,
  MAX_SPEND_FEN,
  MAX_UNIT_PRICE_FEN,
  saturatingAdd,
} from './limits';
import { orderTotals } from './money';

describe('business limits', () => {
  it('every ceiling is a safe integer with room to add two of them exactly', () => {
    for (const max of [MAX_ORDER_TOTAL_FEN, MAX_SPEND_FEN, MAX_COUNT, MAX_POINTS])
      expect(Number.isSafeInteger(2 * max)).toBe(true);
    // one maximal order fits a spend, and a 32-bit points column holds the points ceiling
    expect(MAX_ORDER_TOTAL_FEN).toBeLessThanOrEqual(MAX_SPEND_FEN);
    expect(MAX_POINTS).toBeLessThanOrEqual(2_147_483_647);
  });

  it("a maximal order's total is exactly the order-total ceiling and passes its schema", () => {
    const lines = Array.from({ length: MAX_LINES_PER_ORDER }, () => ({
      quantity: MAX_QUANTITY_PER_LINE,
      unitPrice: MAX_UNIT_PRICE_FEN,
      discount: 0,
    }));
    expect(orderTotals(lines).total).toBe(MAX_ORDER_TOTAL_FEN);
    expect(orderTotalFen.safeParse(MAX_ORDER_TOTAL_FEN).success).toBe(true);
    expect(orderTotalFen.safeParse(MAX_ORDER_TOTAL_FEN + 1).success).toBe(false);
  });

  it('the wire schemas take their maximum from the same constants', () => {
    const edge = (schema: { safeParse(v: unknown): { success: boolean } }, max: number) => [
      schema.safeParse(max).success,
      schema.safeParse(max + 1).success,
    ];
    expect(edge(lineQuantity, MAX_QUANTITY_PER_LINE)).toEqual([true, false]);
    expect(edge(unitPriceFen, MAX_UNIT_PRICE_FEN)).toEqual([true, false]);
    expect(edge(spendFen, MAX_SPEND_FEN)).toEqual([true, false]);
    expect(edge(aggregateCount, MAX_COUNT)).toEqual([true, false]);
    expect(edge(points, MAX_POINTS)).toEqual([true, false]);
    expect(customerProfile.shape.lifetimeSpend).toBe(spendFen);
    expect(customerProfile.shape.points).toBe(points);
  });

  it('saturatingAdd stays at the ceiling however often it is applied', () => {
    let spend = 0;
    for (let i = 0; i < 1_000; i++)
      spend = saturatingAdd(spend, MAX_ORDER_TOTAL_FEN, MAX_SPEND_FEN);
    expect(spend).toBe(MAX_SPEND_FEN);
    expect(spendFen.safeParse(spend).success).toBe(true);
    expect(saturatingAdd(1, 2, MAX_COUNT)).toBe(3);
  });

  it('clampTo brings stored values of any shape into range', () => {
    expect(clampTo(1e16, MAX_SPEND_FEN)).toBe(MAX_SPEND_FEN);
    expect(clampTo('12', MAX_COUNT)).toBe(12);
    expect(clampTo(-5, MAX_COUNT)).toBe(0);
    expect(clampTo(Number.NaN, MAX_COUNT)).toBe(0);
    expect(clampTo(undefined, MAX_COUNT)).toBe(0);
    expect(clampTo(2.7, MAX_COUNT)).toBe(2);
  });
});
