import { describe, expect, it } from 'vitest';
import { hashPinPbkdf2, phoneHash, sha256Hex, verifyPinPbkdf2 } from './crypto';

describe('hashing shared by hub and terminal', () => {
  it('hashes a phone with HMAC-SHA-256 under the chain key (RFC 4231 test case 2 shape)', async () => {
    // Known answer: HMAC-SHA-256(key="Jefe", "what do ya want for nothing?")
    const keyHex = Array.from(new TextEncoder().encode('Jefe'), (b) =>
      b.toString(16).padStart(2, '0'),
    ).join('');
    expect(await phoneHash(keyHex, 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('gives different hashes under different keys, so a stolen cache cannot be joined with another', async () => {
    const a = await phoneHash('00'.repeat(32), '+8613812345678');
    const b = await phoneHash('01'.repeat(32), '+8613812345678');
    expect(a).not.toBe(b);
  });

  it('keeps hashing right when the key changes back and forth, and after a key that cannot be used', async () => {
    const a1 = await phoneHash('00'.repeat(32), '+8613812345678');
    const b1 = await phoneHash('01'.repeat(32), '+8613812345678');
    expect(await phoneHash('00'.repeat(32), '+8613812345678')).toBe(a1);
    expect(await phoneHash('01'.repeat(32), '+8613812345678')).toBe(b1);
    // An empty key cannot be imported for HMAC: the call fails and the next key works.
    await expect(phoneHash('', '+8613812345678')).rejects.toThrow();
    expect(await phoneHash('00'.repeat(32), '+8613812345678')).toBe(a1);
  });

  it('computes SHA-256', async () => {
    expect(await sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('verifies a legacy PBKDF2 PIN and refuses a wrong one or a malformed hash', async () => {
    const stored = await hashPinPbkdf2('1234', undefined, 1000);
    expect(stored).toMatch(/^pbkdf2-sha256\$1000\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
    expect(await verifyPinPbkdf2('1234', stored)).toBe(true);
    expect(await verifyPinPbkdf2('1235', stored)).toBe(false);
    expect(await verifyPinPbkdf2('1234', 'plain-text')).toBe(false);
  });

  it('salts PINs, so two guides with the same PIN have different hashes', async () => {
    expect(await hashPinPbkdf2('1234', undefined, 1000)).not.toBe(
      await hashPinPbkdf2('1234', undefined, 1000),
    );
  });
});
