import { describe, expect, it } from 'vitest';
import { stockAfter } from './movements';

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
