/**
 * The phone attacker of issue #13 (test/integration/privacy-phones.test.ts and
 * test/bench/phone-attack-bench.ts): given what one terminal holds per customer (the 尾号, the
 * 11-bit phone tag, the chain's phone-hash key), how many valid mainland mobile numbers are
 * consistent with it? Every valid number with those last 4 digits is hashed and bucketed by tag.
 *
 * Speed matters (521,600 HMACs per distinct 尾号): HMAC-SHA-256 is computed here in plain
 * JavaScript from precomputed inner and outer key states, two SHA-256 compressions per number,
 * ≈ 10× faster than `createHmac` per call on this machine. Checked against `node:crypto`.
 */
import { createHmac } from 'node:crypto';
import { Metadata, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import metadata from 'libphonenumber-js/max/metadata';

/** libphonenumber-js's metadata, as far as it is read here (its typings do not export it). */
type NumberingPlan = { type(kind: 'MOBILE'): { pattern(): string } };

/**
 * Every valid mainland mobile number's first 7 digits ("1" + 6), the same for any last 4: CN
 * mobile validity is decided by at most the first 5 digits (libphonenumber-js's pattern,
 * `1(?:610\d|740[0-5])\d{6}|1(?:[38]\d|4[57]|[59][0-35-9]|6[25-7]|7[0-35-8])\d{8}`).
 */
export function cnMobileHeads(): string[] {
  const meta = new (Metadata as unknown as new (m: unknown) => Metadata)(metadata);
  meta.selectNumberingPlan('CN');
  const plan = (meta as unknown as { numberingPlan: NumberingPlan }).numberingPlan;
  const mobile = new RegExp(`^(?:${plan.type('MOBILE').pattern()})$`);
  const heads: string[] = [];
  for (let h = 0; h < 1_000_000; h++) {
    const head = `1${String(h).padStart(6, '0')}`;
    if (mobile.test(`${head}0000`)) heads.push(head);
  }
  return heads;
}

/** True when libphonenumber-js itself calls this national number a valid CN mobile. */
export function isCnMobile(national: string): boolean {
  const parsed = parsePhoneNumberFromString(national, 'CN');
  return parsed !== undefined && parsed.isValid() && parsed.getType() === 'MOBILE';
}

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = [
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));

/** One SHA-256 compression of the 16 words in `w[0..15]` into `state` (8 words), in place. */
function compress(state: Uint32Array, w: Uint32Array): void {
  for (let i = 16; i < 64; i++) {
    const a = w[i - 15]!;
    const b = w[i - 2]!;
    const s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3);
    const s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  let e = state[4]!;
  let f = state[5]!;
  let g = state[6]!;
  let h = state[7]!;
  for (let i = 0; i < 64; i++) {
    const t1 =
      (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) | 0;
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
  state[5] = (state[5]! + f) | 0;
  state[6] = (state[6]! + g) | 0;
  state[7] = (state[7]! + h) | 0;
}

/** The SHA-256 state after one 64-byte block (the key xor pad). */
function stateAfter(block: Uint8Array): Uint32Array {
  const state = Uint32Array.from(IV);
  const w = new Uint32Array(64);
  for (let i = 0; i < 16; i++)
    w[i] =
      (block[i * 4]! << 24) |
      (block[i * 4 + 1]! << 16) |
      (block[i * 4 + 2]! << 8) |
      block[i * 4 + 3]!;
  compress(state, w);
  return state;
}

/** The inner and outer SHA-256 states of HMAC under a key of at most 64 bytes. */
function keyStates(keyHex: string): { inner0: Uint32Array; outer0: Uint32Array } {
  const key = Buffer.from(keyHex, 'hex');
  if (key.length > 64) throw new Error('keys over 64 bytes are hashed first; not needed here');
  const ipad = new Uint8Array(64).fill(0x36);
  const opad = new Uint8Array(64).fill(0x5c);
  for (let i = 0; i < key.length; i++) {
    ipad[i]! ^= key[i]!;
    opad[i]! ^= key[i]!;
  }
  return { inner0: stateAfter(ipad), outer0: stateAfter(opad) };
}

/**
 * The tag of "+86" + a national number given as its first three message words (the rest of the
 * inner block is fixed: "+86" + 11 digits = 14 bytes, 0x80, zeros, bit length (64 + 14) × 8).
 */
function tagOfWords(
  states: { inner0: Uint32Array; outer0: Uint32Array },
  scratch: { inner: Uint32Array; outer: Uint32Array; w: Uint32Array },
  w0: number,
  w1: number,
  w2: number,
  w3: number,
): number {
  const { inner, outer, w } = scratch;
  w[0] = w0;
  w[1] = w1;
  w[2] = w2;
  w[3] = w3;
  w.fill(0, 4, 15);
  w[15] = 624;
  inner.set(states.inner0);
  compress(inner, w);
  // Outer: the 32-byte inner digest, 0x80, zeros, bit length (64 + 32) × 8 = 768.
  for (let i = 0; i < 8; i++) w[i] = inner[i]!;
  w[8] = 0x80000000;
  w.fill(0, 9, 15);
  w[15] = 768;
  outer.set(states.outer0);
  compress(outer, w);
  return outer[0]! >>> 21;
}

const newScratch = () => ({
  inner: new Uint32Array(8),
  outer: new Uint32Array(8),
  w: new Uint32Array(64),
});

/**
 * The 11-bit phone tag of "+86" + an 11-digit national number under `keyHex`, as
 * `phoneTag(phoneHash(key, e164))` gives it.
 */
export function phoneTagger(keyHex: string): (national: string) => number {
  const states = keyStates(keyHex);
  const scratch = newScratch();
  return (national: string) => {
    const c = (i: number) => national.charCodeAt(i);
    return tagOfWords(
      states,
      scratch,
      (0x2b << 24) | (0x38 << 16) | (0x36 << 8) | c(0),
      (c(1) << 24) | (c(2) << 16) | (c(3) << 8) | c(4),
      (c(5) << 24) | (c(6) << 16) | (c(7) << 8) | c(8),
      (c(9) << 24) | (c(10) << 16) | (0x80 << 8),
    );
  };
}

/** The same tag the slow, obvious way (node:crypto), to check `phoneTagger` against. */
export const referenceTag = (keyHex: string, national: string): number =>
  createHmac('sha256', Buffer.from(keyHex, 'hex'))
    .update(`+86${national}`)
    .digest()
    .readUInt32BE(0) >>> 21;

/**
 * For one 尾号: how many valid mobile numbers end in it, per tag (2,048 counts). A customer seen
 * as (尾号, tag) has `counts[tag]` equally consistent numbers. The message words that depend
 * only on the first 7 digits are made once per head.
 */
export function tagCounts(keyHex: string, heads: readonly string[], last4: string): Uint32Array {
  const states = keyStates(keyHex);
  const scratch = newScratch();
  const l = (i: number) => last4.charCodeAt(i);
  const w2low = (l(0) << 8) | l(1);
  const w3 = (l(2) << 24) | (l(3) << 16) | (0x80 << 8);
  const counts = new Uint32Array(2048);
  for (const head of heads) {
    const c = (i: number) => head.charCodeAt(i);
    const tag = tagOfWords(
      states,
      scratch,
      (0x2b << 24) | (0x38 << 16) | (0x36 << 8) | c(0),
      (c(1) << 24) | (c(2) << 16) | (c(3) << 8) | c(4),
      (c(5) << 24) | (c(6) << 16) | w2low,
      w3,
    );
    counts[tag]!++;
  }
  return counts;
}

/** Median of numbers (the lower middle for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[(sorted.length - 1) >> 1] ?? NaN;
}
