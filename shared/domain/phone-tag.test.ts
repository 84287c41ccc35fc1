import { describe, expect, it } from 'vitest';
import { phoneHash } from './crypto';
import { MAX_PHONE_TAG, PHONE_TAG_BITS, phoneTag, phoneTagOf } from './phone-tag';

describe('phone tag: the first 11 bits of the keyed phone hash', () => {
  it('takes the first 11 bits of the hex hash', () => {
    expect(PHONE_TAG_BITS).toBe(11);
    expect(phoneTag('000' + 'f'.repeat(61))).toBe(0);
    expect(phoneTag('fff' + '0'.repeat(61))).toBe(2047);
    expect(phoneTag('fff')).toBe(MAX_PHONE_TAG);
    // 0xabc = 1010 1011 1100 → first 11 bits 1010 1011 110 = 0x55e
    expect(phoneTag('abcdef')).toBe(0x55e);
    expect(phoneTag('ABCDEF')).toBe(0x55e);
    // the 12th bit does not matter
    expect(phoneTag('abd')).toBe(phoneTag('abc'));
  });

  it('refuses what is not a hex hash', () => {
    expect(() => phoneTag('')).toThrow();
    expect(() => phoneTag('xyz123')).toThrow();
  });

  it('is the tag of the HMAC a terminal computes for a typed number', async () => {
    const key = '5a'.repeat(32);
    const hash = await phoneHash(key, '+8613812345678');
    const tag = await phoneTagOf(key, '+8613812345678');
    expect(tag).toBe(parseInt(hash.slice(0, 3), 16) >> 1);
    expect(tag).toBeGreaterThanOrEqual(0);
    expect(tag).toBeLessThanOrEqual(MAX_PHONE_TAG);
  });

  it('spreads numbers over the 2,048 tags', async () => {
    const key = '07'.repeat(32);
    const tags = new Set<number>();
    for (let i = 0; i < 2000; i++)
      tags.add(await phoneTagOf(key, `+86138${String(i).padStart(8, '0')}`));
    // 2,000 draws into 2,048 buckets: ≈ 1,286 distinct expected (σ ≈ 13).
    expect(tags.size).toBeGreaterThan(1200);
  });
});
