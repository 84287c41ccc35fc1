/**
 * Hashing that must give the same answer on the hub (Node) and the terminal (browser): both have
 * WebCrypto as `globalThis.crypto`, so this file stays pure (no `node:crypto`).
 */
const encoder = new TextEncoder();

function toHex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(new ArrayBuffer(hex.length / 2));
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * The imported key of the last phone-hash key used. A counter lookup by full phone then costs one
 * WebCrypto call instead of two (each is a hop to the browser's crypto thread and back).
 */
let lastKey: { hex: string; key: Promise<CryptoKey> } | null = null;

function hmacKey(keyHex: string): Promise<CryptoKey> {
  if (lastKey?.hex !== keyHex) {
    const key = crypto.subtle.importKey(
      'raw',
      fromHex(keyHex),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    lastKey = { hex: keyHex, key };
    // A key that failed to import is not kept.
    key.catch(() => {
      if (lastKey?.key === key) lastKey = null;
    });
  }
  return lastKey.key;
}

/** HMAC-SHA-256 of an E.164 number under the chain's phone-hash key (hex), as hex. */
export async function phoneHash(keyHex: string, e164: string): Promise<string> {
  return toHex(await crypto.subtle.sign('HMAC', await hmacKey(keyHex), encoder.encode(e164)));
}

/** SHA-256 of a string, as hex (for high-entropy secrets such as terminal tokens). */
export async function sha256Hex(value: string): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', encoder.encode(value)));
}

export function randomHex(bytes: number): string {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  return Array.from(buf, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The PIN verifier before issue #13 item 2: PBKDF2-SHA-256, `pbkdf2-sha256$iter$salt$hash`. At 38 ms
 * a guess it is too cheap for a verifier every terminal holds; new PINs use scrypt
 * (pin-verifier.ts), and guides with such a verifier change their PIN at their next online
 * sign-in. Kept to verify those until then.
 */
export const PIN_ITERATIONS = 210_000;

export async function hashPinPbkdf2(
  pin: string,
  saltHex = randomHex(16),
  iterations = PIN_ITERATIONS,
): Promise<string> {
  const material = await crypto.subtle.importKey('raw', encoder.encode(pin), 'PBKDF2', false, [
    'deriveBits',
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: fromHex(saltHex), iterations },
    material,
    256,
  );
  return `pbkdf2-sha256$${iterations}$${saltHex}$${toHex(bits)}`;
}

export async function verifyPinPbkdf2(pin: string, stored: string): Promise<boolean> {
  const [scheme, iter, salt, expected] = stored.split('$');
  if (scheme !== 'pbkdf2-sha256' || !iter || !salt || !expected) return false;
  const actual = await hashPinPbkdf2(pin, salt, Number(iter));
  // Constant-time comparison of the hex digests.
  const a = actual.split('$')[3] ?? '';
  let diff = a.length ^ expected.length;
  for (let i = 0; i < Math.min(a.length, expected.length); i++)
    diff |= a.charCodeAt(i) ^ expected.charCodeAt(i);
  return diff === 0;
}
