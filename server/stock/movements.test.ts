import { describe, expect, it } from 'vitest';
import { moveKey, planStockMoves, stockAfter, type StockMove } from './movements';

describe('stockAfter', () => {
  it('a sale takes its units off; beyond the stock it leaves 0 and records the shortfall', () => {
    expect(stockAfter(5, 'sale', 2)).toEqual({ after: 3, shortfall: 0 });
    expect(stockAfter(2, 'sale', 2)).toEqual({ after: 0, shortfall: 0 });
    expect(stockAfter(1, 'sale', 3)).toEqual({ after: 0, shortfall: 2 });
    expect(stockAfter(0, 'sale', 1)).toEqual({ after: 0, shortfall: 1 });
  });

  it('a sale neither raises nor lowers a count head office set below zero', () => {
    expect(stockAfter(-4, 'sale', 2)).toEqual({ after: -4, shortfall: 2 });
  });

  it('a return puts its units back', () => {
    expect(stockAfter(0, 'return', 2)).toEqual({ after: 2, shortfall: 0 });
  });
});

describe('planStockMoves', () => {
  const [s1, p1, p2] = ['s1', 'p1', 'p2'];
  const move = (
    orderId: string,
    lineNo: number,
    productId: string,
    quantity: number,
  ): StockMove => ({
    storeId: s1,
    productId,
    orderId,
    lineNo,
    reason: 'sale',
    quantity,
  });

  it('chains the claimed lines of one product in (order, line) order from the figure read', () => {
    const moves = [
      move('o2', 1, p1, 2),
      move('o1', 2, p1, 1),
      move('o1', 1, p2, 4),
      move('o3', 1, p1, 9),
    ];
    // o3's line was not claimed now (a resend): it moves nothing.
    const fresh = new Set(moves.slice(0, 3).map(moveKey));
    const plan = planStockMoves(moves, fresh, new Map([[`${s1}|${p1}`, 5]]));
    expect(plan.ledger).toEqual([
      { order_id: 'o1', line_no: 1, reason: 'sale', stock_before: 0, stock_after: 0, shortfall: 4 },
      { order_id: 'o1', line_no: 2, reason: 'sale', stock_before: 5, stock_after: 4, shortfall: 0 },
      { order_id: 'o2', line_no: 1, reason: 'sale', stock_before: 4, stock_after: 2, shortfall: 0 },
    ]);
    // `before` is what was read (null: no row), the figure order_batch_tail checks under the lock.
    expect(plan.stock).toEqual([
      { store_id: s1, product_id: p1, before: 5, stock: 2 },
      { store_id: s1, product_id: p2, before: null, stock: 0 },
    ]);
    expect(plan.shortfalls).toBe(1);
  });
});
