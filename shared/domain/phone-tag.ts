import { phoneHash } from './crypto';

/**
 * What a terminal holds of a customer's phone besides the last 4 digits: the first
 * `PHONE_TAG_BITS` bits of the chain's keyed phone hash (HMAC-SHA-256 of the E.164 number, the
 * hub keeps the full one for its own de-duplication). A guide's typed number is hashed with the
 * same key on the terminal and matched on last 4 + tag; someone holding the cache and the key
 * learns only the bucket the number is in.
 *
 * Why 11 bits. With the last 4 digits known, a valid mainland mobile number has 52 fully valid
 * 3-digit prefixes (plus two partly valid ones) × 10⁴ middle digits = 521,600 possibilities
 * (counted with libphonenumber-js, see docs/privacy.md). A tag of b bits splits those into 2^b
 * buckets of ≈ 521,600 / 2^b equally consistent candidates each:
 * - 12 bits: ≈ 127 on average, but the buckets are Poisson-spread (σ ≈ 11), so among 1,000
 *   customers some land below 100;
 * - 11 bits: ≈ 255 on average (σ ≈ 16), the smallest of 1,000 buckets far above 100;
 * while a guide's exact lookup among the ≈ 20 other customers that share a last 4 in a
 * 200,000-member cache collides with probability ≈ 19 / 2048 ≈ 0.93 % (unique in > 99 % of
 * lookups; the rare second match is listed by name for the guide to pick).
 */
export const PHONE_TAG_BITS = 11;
/** Largest tag: 2^11 − 1. */
export const MAX_PHONE_TAG = (1 << PHONE_TAG_BITS) - 1;

/**
 * The tag of a full phone hash (hex): its first 11 bits, as an integer 0..2047
 * (the first 3 hex digits are 12 bits; the lowest of them is dropped).
 */
export function phoneTag(hashHex: string): number {
  if (!/^[0-9a-f]{3}/i.test(hashHex)) throw new Error('phoneTag needs a hex phone hash');
  return parseInt(hashHex.slice(0, 3), 16) >> (12 - PHONE_TAG_BITS);
}

/** The tag of an E.164 number under the chain's phone-hash key (hex). */
export async function phoneTagOf(keyHex: string, e164: string): Promise<number> {
  return phoneTag(await phoneHash(keyHex, e164));
}
