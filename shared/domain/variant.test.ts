import { describe, expect, it } from 'vitest';
import { itemLabel, variantLabel } from './variant';

describe('variant label', () => {
  it('reads colour then size, and leaves out what the product does not have', () => {
    expect(variantLabel({ colour: '雾霾蓝', size: 'XL' })).toBe('雾霾蓝 · XL');
    expect(variantLabel({ colour: '雾霾蓝', size: null })).toBe('雾霾蓝');
    expect(variantLabel({ colour: null, size: 'XL' })).toBe('XL');
    expect(variantLabel({ colour: ' ', size: undefined })).toBe('');
  });

  it('puts the variant after the product name', () => {
    expect(itemLabel({ name: 'V领基础T恤', colour: '雾霾蓝', size: 'XL' })).toBe(
      'V领基础T恤 雾霾蓝 · XL',
    );
    expect(itemLabel({ name: '帆布包', colour: null, size: null })).toBe('帆布包');
  });
});
