import { describe, expect, it } from 'vitest';
import { looksLikeFullPhone, maskPhone, normalisePhone, phoneLast4 } from './phone';

describe('phone normalisation', () => {
  it('treats the usual ways of writing a mainland mobile as one E.164 number', () => {
    const forms = [
      '13812345678',
      '138 1234 5678',
      '+86 138-1234-5678',
      '0086 13812345678',
      '+8613812345678',
    ];
    expect(new Set(forms.map((f) => normalisePhone(f)?.e164))).toEqual(new Set(['+8613812345678']));
  });

  it('refuses numbers that are not valid', () => {
    for (const bad of ['12345', '1381234567', 'abc', '', '99999999999999999']) {
      expect(normalisePhone(bad)).toBeNull();
    }
  });

  it('keeps foreign numbers in their own country', () => {
    expect(normalisePhone('+49 30 901820')?.e164).toBe('+4930901820');
  });

  it('gives the 尾号 and the masked display form guides see', () => {
    expect(phoneLast4('+8613812345678')).toBe('5678');
    expect(maskPhone('+8613812345678')).toBe('138****5678');
  });

  it('tells a whole number from a 尾号 or a member code', () => {
    expect(looksLikeFullPhone('13812345678')).toBe(true);
    expect(looksLikeFullPhone('5678')).toBe(false);
    expect(looksLikeFullPhone('M000123456')).toBe(false);
  });
});
