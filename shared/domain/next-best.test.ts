import { describe, expect, it } from 'vitest';
import {
  mostRecentlyViewed,
  nextBestItems,
  type NextBestProduct,
  type NextBestProfile,
} from './next-best';

const NOW = new Date('2026-12-01T12:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000).toISOString();

/** A style in sizes S/M/L of one colour; `stock` by size (0 when left out). */
function style(
  code: string,
  category: string,
  stock: Partial<Record<'S' | 'M' | 'L', number>>,
  launchedDaysAgo: number | null = 200,
): NextBestProduct[] {
  return (['S', 'M', 'L'] as const).map((size) => ({
    sku: `${code}-${size}`,
    name: code,
    category,
    styleCode: code,
    size,
    colour: '黑色',
    sizeKind: 'top',
    stock: stock[size] ?? 0,
    active: true,
    price: 39_900,
    launchedAt: launchedDaysAgo === null ? null : daysAgo(launchedDaysAgo),
  }));
}

const profile = (over: Partial<NextBestProfile> = {}): NextBestProfile => ({
  sizes: { top: 'M' },
  favouriteCategories: [],
  online: { viewed: [], carted: [], wishlisted: [] },
  lastPurchases: [],
  ...over,
});

describe('next-best items', () => {
  it('weighs wish list, cart and views by age, and says why with her size in stock', () => {
    const catalog = [
      ...style('WISH', '衬衫', { M: 3 }),
      ...style('CART', '外套', { M: 1 }),
      ...style('VIEW', 'T恤', { M: 5 }),
    ];
    const items = nextBestItems(
      profile({
        online: {
          // WISH: 3 × 0.5^(14/14) = 1.5; CART: 4 × 0.5^(28/14) = 1.0; VIEW: 2 × 1 × 0.5^0 = 2.0
          wishlisted: [{ sku: 'WISH-S', at: daysAgo(14) }],
          carted: [{ sku: 'CART-L', at: daysAgo(28) }],
          viewed: [
            { sku: 'VIEW-M', at: daysAgo(0) },
            { sku: 'VIEW-L', at: daysAgo(0) },
          ],
        },
      }),
      catalog,
      NOW,
    );
    expect(items.map((i) => [i.styleKey, Number(i.score.toFixed(3))])).toEqual([
      ['VIEW', 2],
      ['WISH', 1.5],
      ['CART', 1],
    ]);
    // Her size is brought, not the size she looked at online.
    expect(items.map((i) => i.product.sku)).toEqual(['VIEW-M', 'WISH-M', 'CART-M']);
    expect(items[1]!.reasons).toEqual([
      { kind: 'wishlisted' },
      { kind: 'herSize', size: 'M', stock: 3 },
    ]);
    expect(items[0]!.reasons[0]).toEqual({ kind: 'viewed', count: 2 });
  });

  it('her size missing costs 70 %; nothing of the style here leaves it out', () => {
    const items = nextBestItems(
      profile({
        online: {
          wishlisted: [
            { sku: 'NOSIZE-S', at: daysAgo(0) },
            { sku: 'GONE-M', at: daysAgo(0) },
          ],
          carted: [],
          viewed: [{ sku: 'HERS-M', at: daysAgo(0) }],
        },
      }),
      [
        ...style('NOSIZE', '衬衫', { S: 2, L: 1 }),
        ...style('GONE', '衬衫', {}),
        ...style('HERS', '衬衫', { M: 1 }),
      ],
      NOW,
    );
    // NOSIZE: 3 × 0.3 = 0.9 < HERS: 1 × 1
    expect(items.map((i) => [i.styleKey, Number(i.score.toFixed(3))])).toEqual([
      ['HERS', 1],
      ['NOSIZE', 0.9],
    ]);
    expect(items[1]!.reasons.at(-1)).toEqual({ kind: 'otherSizes' });
  });

  it('fills up with new styles in her categories; leaves out what she bought in the last 60 days', () => {
    const items = nextBestItems(
      profile({
        favouriteCategories: ['衬衫'],
        lastPurchases: [
          { at: daysAgo(10), items: [{ sku: 'BOUGHT-M' }] },
          // a purchase 90 days ago: its category counts, the style may come back
          { at: daysAgo(90), items: [{ sku: 'OLD-M' }] },
        ],
      }),
      [
        ...style('NEWSHIRT', '衬衫', { M: 2 }, 5), // favourite 1 + new 0.8 = 1.8
        ...style('OLDSHIRT', '衬衫', { M: 2 }), // favourite 1
        ...style('BOUGHT', '卫衣', { M: 2 }), // bought 10 days ago: out
        ...style('OLD', '针织', { M: 2 }), // bought category 0.8
        ...style('NEWKNIT', '针织', { M: 2 }, 40), // launched 40 days ago: not new; 0.8
        ...style('DRESS', '连衣裙', { S: 2, L: 2 }, 3), // new only: 0.8, her M missing: 0.24
      ],
      NOW,
    );
    expect(items.map((i) => [i.styleKey, Number(i.score.toFixed(3))])).toEqual([
      ['NEWSHIRT', 1.8],
      ['OLDSHIRT', 1],
      ['NEWKNIT', 0.8],
    ]);
    expect(items[0]!.reasons).toEqual([
      { kind: 'favourite', category: '衬衫' },
      { kind: 'new' },
      { kind: 'herSize', size: 'M', stock: 2 },
    ]);
    expect(items[2]!.reasons[0]).toEqual({ kind: 'boughtCategory', category: '针织' });
  });

  it('the baseline: the styles viewed last, distinct', () => {
    const catalog = new Map(
      [
        ...style('A', 'x', {}),
        ...style('B', 'x', {}),
        ...style('C', 'x', {}),
        ...style('D', 'x', {}),
      ].map((p) => [p.sku, p]),
    );
    expect(
      mostRecentlyViewed(
        [
          { sku: 'A-S', at: daysAgo(4) },
          { sku: 'B-S', at: daysAgo(1) },
          { sku: 'B-M', at: daysAgo(2) },
          { sku: 'C-S', at: daysAgo(3) },
          { sku: 'D-S', at: daysAgo(5) },
        ],
        catalog,
      ),
    ).toEqual(['B', 'C', 'A']);
  });
});
