/**
 * Guide PIN verifiers (issue #13, item 2). Every terminal holds its store's verifiers so guides can
 * sign in offline, so a verifier must be expensive to test a guess against even for someone who
 * copied it off the disk: scrypt, memory-hard, with parameters chosen so exhausting a 6-digit PIN
 * space (10^6 guesses) costs ≥ 24 CPU-hours against the fastest implementation on our reference
 * machine (Node's native OpenSSL scrypt), while one check in the renderer stays under a second.
 * Figures and the command that measures them: docs/benchmarks.md (`npm run bench:pin`).
 *
 * Pure: the scrypt implementation is @noble/hashes (audited JS, no WASM, so the renderer's CSP
 * stays `script-src 'self'`); the hub passes Node's native scrypt instead (same output, runs on
 * libuv's thread pool instead of the event loop).
 */
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { hashPinPbkdf2, verifyPinPbkdf2 } from './crypto';

/** Scrypt cost parameters. Memory per check is 128 · N · r bytes (N = 2^15, r = 8: 32 MiB). */
export type ScryptParams = { N: number; r: number; p: number };

/**
 * Current parameters: N = 2^15, r = 8, p = 1, 32 MiB a check. Measured with `npm run bench:pin`
 * (docs/benchmarks.md): native scrypt, the attacker's fastest here, spends well over the 86.4 ms
 * per guess that 24 CPU-hours for 10^6 guesses need, and the renderer checks a PIN in a fraction of
 * a second. N = 2^16 doubles both; it would leave a slow store PC close to the 1 s sign-in bound.
 */
export const PIN_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;

/**
 * Upper bounds accepted when reading a verifier: a corrupt or hostile row must not make a terminal
 * allocate gigabytes or spin for minutes (N = 2^20, r = 8 is 1 GiB).
 */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;
const MAX_MEMORY_BYTES = 1024 * 1024 * 1024;

/** New PINs (new guides, resets, changes): 6 to 8 digits. Existing 4–5 digit PINs still sign in. */
export const MIN_NEW_PIN_DIGITS = 6;
export const MAX_PIN_DIGITS = 8;
/** Sign-in accepts the PINs issued before item 2 (4 digits and up). */
export const MIN_PIN_DIGITS = 4;

/** Derives `dkLen` bytes with scrypt; injectable so the hub can use Node's native implementation. */
export type ScryptFn = (
  password: Uint8Array,
  salt: Uint8Array,
  params: ScryptParams & { dkLen: number },
) => Promise<Uint8Array>;

/** @noble/hashes' scrypt, yielding to the event loop every few ms so the UI keeps painting. */
export const nobleScrypt: ScryptFn = (password, salt, { N, r, p, dkLen }) =>
  scryptAsync(password, salt, { N, r, p, dkLen, maxmem: MAX_MEMORY_BYTES + 1024, asyncTick: 20 });

const encoder = new TextEncoder();

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  crypto.getRandomValues(out);
  return out;
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** A parsed verifier: `scrypt$N$r$p$saltHex$hashHex`, or the pre-item-2 `pbkdf2-sha256$…`. */
export type ParsedVerifier =
  | { scheme: 'scrypt'; params: ScryptParams; salt: Uint8Array; hash: Uint8Array }
  | { scheme: 'pbkdf2-sha256' };

const HEX = /^(?:[0-9a-f]{2})+$/;
const INT = /^[1-9]\d{0,9}$/;

/** Reads a verifier string; null when it is malformed or its parameters are out of bounds. */
export function parseVerifier(stored: string): ParsedVerifier | null {
  const parts = stored.split('$');
  if (parts[0] === 'pbkdf2-sha256') return parts.length === 4 ? { scheme: 'pbkdf2-sha256' } : null;
  if (parts[0] !== 'scrypt' || parts.length !== 6) return null;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  if (!INT.test(n) || !INT.test(r) || !INT.test(p) || !HEX.test(salt) || !HEX.test(hash))
    return null;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const powerOfTwo = (params.N & (params.N - 1)) === 0 && params.N >= 2;
  if (!powerOfTwo || params.N > MAX_N || params.r > MAX_R || params.p > MAX_P) return null;
  if (128 * params.N * params.r > MAX_MEMORY_BYTES) return null;
  return { scheme: 'scrypt', params, salt: fromHex(salt), hash: fromHex(hash) };
}

export type HashPinOptions = {
  /** lower parameters only in unit tests of code that hashes many PINs; verifiers say theirs */
  params?: ScryptParams;
  /** hex; random 16 bytes by default */
  salt?: string;
  scrypt?: ScryptFn;
};

/** Hashes a PIN into a self-describing verifier `scrypt$N$r$p$salt$hash`. */
export async function hashPin(pin: string, options: HashPinOptions = {}): Promise<string> {
  const params = options.params ?? PIN_SCRYPT;
  const salt = options.salt ? fromHex(options.salt) : randomBytes(SALT_BYTES);
  const derive = options.scrypt ?? nobleScrypt;
  const hash = await derive(encoder.encode(pin), salt, { ...params, dkLen: KEY_BYTES });
  return `scrypt$${params.N}$${params.r}$${params.p}$${toHex(salt)}$${toHex(hash)}`;
}

export type PinCheck = {
  ok: boolean;
  /**
   * The guide must choose a new PIN at their next online sign-in: the PIN is shorter than the
   * rules for new PINs, or its verifier is the old PBKDF2 one — that verifier sat on every
   * terminal of the store, where 6 digits fall in ≈ 10 CPU-hours, so the PIN itself is spent.
   */
  changeRequired: boolean;
  /** the PIN is fine but its verifier uses weaker parameters than today's: rehash it */
  rehash: boolean;
};

/** Checks a PIN against a verifier (scrypt, or the legacy PBKDF2 ones); never throws. */
export async function checkPin(
  pin: string,
  stored: string,
  options: { scrypt?: ScryptFn } = {},
): Promise<PinCheck> {
  const no: PinCheck = { ok: false, changeRequired: false, rehash: false };
  const parsed = parseVerifier(stored);
  if (!parsed) return no;
  const short = pin.length < MIN_NEW_PIN_DIGITS;
  if (parsed.scheme === 'pbkdf2-sha256') {
    const ok = await verifyPinPbkdf2(pin, stored);
    return ok ? { ok, changeRequired: true, rehash: false } : no;
  }
  const derive = options.scrypt ?? nobleScrypt;
  let actual: Uint8Array;
  try {
    actual = await derive(encoder.encode(pin), parsed.salt, {
      ...parsed.params,
      dkLen: parsed.hash.length,
    });
  } catch {
    return no;
  }
  if (!constantTimeEqual(actual, parsed.hash)) return no;
  const { N, r, p } = parsed.params;
  const weaker = N < PIN_SCRYPT.N || r < PIN_SCRYPT.r || p < PIN_SCRYPT.p;
  return { ok: true, changeRequired: short, rehash: weaker && !short };
}

/** True when the PIN matches the verifier. */
export async function verifyPin(
  pin: string,
  stored: string,
  options: { scrypt?: ScryptFn } = {},
): Promise<boolean> {
  return (await checkPin(pin, stored, options)).ok;
}

/** Why a new PIN is refused, or null when it is acceptable. */
export type PinWeakness = 'length' | 'repeated' | 'sequence';

/**
 * Rules for new PINs, shown to the guide on the change screen: 6–8 digits, not one digit repeated
 * (111111), not a run up or down (123456, 987654). These are the PINs an attacker tries first.
 */
export function pinWeakness(pin: string): PinWeakness | null {
  if (!new RegExp(`^\\d{${MIN_NEW_PIN_DIGITS},${MAX_PIN_DIGITS}}$`).test(pin)) return 'length';
  if (/^(\d)\1+$/.test(pin)) return 'repeated';
  const steps = new Set<number>();
  for (let i = 1; i < pin.length; i++)
    steps.add((pin.charCodeAt(i) - pin.charCodeAt(i - 1) + 10) % 10);
  if (steps.size === 1 && (steps.has(1) || steps.has(9))) return 'sequence';
  return null;
}

/** The pre-item-2 verifier, kept to make legacy fixtures in tests; never used for new PINs. */
export const hashLegacyPin = (pin: string, iterations?: number) =>
  hashPinPbkdf2(pin, undefined, iterations);

/**
 * Lockout, the same on the hub (per guide, across the store's terminals) and on each terminal
 * (offline sign-ins): after 5 wrong PINs in a row the guide waits 5 minutes. Online, that is at
 * most 1,440 guesses a day: 10^6 PINs take ≈ 2 years per guide.
 */
export const PIN_MAX_FAILURES = 5;
export const PIN_LOCK_MINUTES = 5;
