import { describe, expect, it } from 'vitest';
import {
  checkPin,
  hashLegacyPin,
  hashPin,
  parseVerifier,
  PIN_SCRYPT,
  pinWeakness,
  verifyPin,
} from './pin-verifier';

/** Cheap parameters for the cases that only check the logic; one case runs the real ones. */
const FAST = { N: 2 ** 4, r: 8, p: 1 };

describe('PIN verifier', () => {
  it('writes a self-describing scrypt verifier with today’s parameters and checks it', async () => {
    const stored = await hashPin('480613');
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
    expect(await checkPin('480613', stored)).toEqual({
      ok: true,
      changeRequired: false,
      rehash: false,
    });
    expect(await verifyPin('480614', stored)).toBe(false);
  });

  it('salts: two guides with one PIN get different verifiers', async () => {
    expect(await hashPin('480613', { params: FAST })).not.toBe(
      await hashPin('480613', { params: FAST }),
    );
  });

  it('still signs in a legacy PBKDF2 PIN, and says the guide must change it', async () => {
    const legacy = await hashLegacyPin('1234', 1000);
    expect(await checkPin('1234', legacy)).toEqual({
      ok: true,
      changeRequired: true,
      rehash: false,
    });
    expect((await checkPin('1235', legacy)).ok).toBe(false);
    // a 6-digit PIN under PBKDF2 too: that verifier was on every terminal, the PIN is spent
    expect((await checkPin('480613', await hashLegacyPin('480613', 1000))).changeRequired).toBe(
      true,
    );
  });

  it('asks for a change of a short PIN and a rehash of weaker parameters', async () => {
    expect(await checkPin('1234', await hashPin('1234', { params: FAST }))).toEqual({
      ok: true,
      changeRequired: true,
      rehash: false,
    });
    expect(await checkPin('480613', await hashPin('480613', { params: FAST }))).toEqual({
      ok: true,
      changeRequired: false,
      rehash: true,
    });
  });

  it('refuses malformed verifiers and parameters that would exhaust memory, without throwing', async () => {
    const good = await hashPin('480613', { params: FAST });
    const [, , r, p, salt, hash] = good.split('$');
    for (const bad of [
      'plain-text',
      '',
      'scrypt$16$8$1$zz$00',
      `scrypt$15$${r}$${p}$${salt}$${hash}`, // N not a power of two
      `scrypt$${2 ** 24}$${r}$${p}$${salt}$${hash}`, // 16 GiB
      `scrypt$16$1000$${p}$${salt}$${hash}`,
      `scrypt$16$${r}$${p}$${salt}`,
      `scrypt$016$${r}$${p}$${salt}$${hash}`,
    ]) {
      expect(parseVerifier(bad), bad).toBeNull();
      expect(await verifyPin('480613', bad), bad).toBe(false);
    }
    expect(parseVerifier(good)).toMatchObject({ scheme: 'scrypt', params: FAST });
    expect(PIN_SCRYPT.N * PIN_SCRYPT.r * 128).toBe(32 * 1024 * 1024);
  });

  it('refuses weak new PINs: too short or long, one digit repeated, a run up or down', () => {
    expect(pinWeakness('480613')).toBeNull();
    expect(pinWeakness('11228833')).toBeNull();
    expect(pinWeakness('1234')).toBe('length');
    expect(pinWeakness('123456789')).toBe('length');
    expect(pinWeakness('12a456')).toBe('length');
    expect(pinWeakness('000000')).toBe('repeated');
    expect(pinWeakness('123456')).toBe('sequence');
    expect(pinWeakness('987654')).toBe('sequence');
    expect(pinWeakness('34567890')).toBe('sequence');
  });
});
