import { describe, expect, it } from 'vitest';
import {
  compareSizes,
  herSizeAnswer,
  shownStock,
  sizeKindForCategory,
  type StyleProduct,
} from './styles';

const sku = (colour: string, size: string, stock: number, over: Partial<StyleProduct> = {}) => ({
  sku: `JN01-${colour}-${size}`,
  name: `阔腿牛仔裤 ${colour}`,
  category: '牛仔裤',
  styleCode: 'JN01',
  size,
  colour,
  sizeKind: 'bottom' as const,
  stock,
  active: true,
  ...over,
});

describe('styles', () => {
  it('guesses the size kind from the category, Chinese or English; bags have none', () => {
    expect(
      [
        '连衣裙',
        '牛仔裤',
        '半身裙',
        '运动鞋',
        '衬衫',
        '外套',
        'T恤',
        'Dress',
        'Sneakers',
        '包袋',
        '配饰',
      ].map(sizeKindForCategory),
    ).toEqual([
      'dress',
      'bottom',
      'bottom',
      'shoe',
      'top',
      'top',
      'top',
      'dress',
      'shoe',
      null,
      null,
    ]);
  });

  it('orders letter sizes by wear and numbers by value', () => {
    expect(['XL', 'S', 'M', 'XS', 'L'].sort(compareSizes)).toEqual(['XS', 'S', 'M', 'L', 'XL']);
    expect(['30', '26', '28'].sort(compareSizes)).toEqual(['26', '28', '30']);
  });

  it('never shows stock below zero', () => {
    expect([shownStock(-3), shownStock(0), shownStock(4)]).toEqual([0, 0, 4]);
  });

  it('finds her size in the colour she looked at, lists other sizes and colours in stock', () => {
    const viewed = sku('BLU', '26', 1);
    const style = [
      viewed,
      sku('BLU', '27', 0),
      sku('BLU', '28', 2),
      sku('BLK', '27', 5),
      sku('BLK', '30', 1),
    ];
    const answer = herSizeAnswer(viewed, style, { bottom: '27' });
    // Her 27 in blue is out, so her 27 in black is offered.
    expect(answer.herSize).toBe('27');
    expect(answer.herSku).toEqual({ sku: 'JN01-BLK-27', size: '27', colour: 'BLK', stock: 5 });
    expect(answer.herSizeInStock).toBe(true);
    // What to ask other stores for: her size in the colour she wanted.
    expect(answer.wantedSku?.sku).toBe('JN01-BLU-27');
    expect(answer.otherSizes.map((s) => s.size)).toEqual(['26', '28']);
    expect(answer.otherColours).toEqual([
      {
        colour: 'BLK',
        herSize: { sku: 'JN01-BLK-27', size: '27', colour: 'BLK', stock: 5 },
        sizes: [
          { sku: 'JN01-BLK-27', size: '27', colour: 'BLK', stock: 5 },
          { sku: 'JN01-BLK-30', size: '30', colour: 'BLK', stock: 1 },
        ],
      },
    ]);
  });

  it('says her size is out (its SKU named) when no colour has it, and unknown without a profile size', () => {
    const viewed = sku('BLU', '26', 1);
    const style = [
      viewed,
      sku('BLU', '27', 0),
      sku('BLK', '27', 0),
      sku('GRY', '27', 0, { active: false }),
    ];
    const out = herSizeAnswer(viewed, style, { bottom: '27' });
    expect([out.herSku?.sku, out.herSizeInStock]).toEqual(['JN01-BLU-27', false]);
    const unknown = herSizeAnswer(viewed, style, { top: 'M' });
    expect([unknown.herSize, unknown.herSku, unknown.herSizeInStock]).toEqual([null, null, false]);
    const notMade = herSizeAnswer(viewed, style, { bottom: '34' });
    expect([notMade.herSize, notMade.herSku]).toEqual(['34', null]);
  });

  it('a one-size item is her size; a product without a style is a style of its own', () => {
    const bag = { ...sku('BLK', '均码', 2), category: '包袋', sizeKind: null, styleCode: null };
    const answer = herSizeAnswer(bag, [sku('BLK', '27', 9)], { bottom: '27' });
    expect([answer.oneSize, answer.herSku?.sku, answer.herSizeInStock]).toEqual([
      true,
      bag.sku,
      true,
    ]);
    expect(answer.otherColours).toEqual([]);
  });
});
