import { describe, expect, it } from 'vitest';
import { hashPin, verifyPin } from '../../shared/domain/pin-verifier';
import { nativeScrypt } from './native-scrypt';

const FAST = { N: 2 ** 4, r: 8, p: 1 };
const SALT = '00112233445566778899aabbccddeeff';

describe('native scrypt for the hub', () => {
  it('gives the same verifier as @noble/hashes, so hub and terminal agree on every PIN', async () => {
    const byNoble = await hashPin('271828', { params: FAST, salt: SALT });
    const byNative = await hashPin('271828', { params: FAST, salt: SALT, scrypt: nativeScrypt });
    expect(byNative).toBe(byNoble);
    expect(await verifyPin('271828', byNoble, { scrypt: nativeScrypt })).toBe(true);
    expect(await verifyPin('271829', byNoble, { scrypt: nativeScrypt })).toBe(false);
  });

  it('agrees at today’s parameters too', async () => {
    const stored = await hashPin('480613', { scrypt: nativeScrypt });
    expect(await verifyPin('480613', stored)).toBe(true);
  });
});
