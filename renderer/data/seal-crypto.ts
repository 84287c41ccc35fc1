/**
 * The cryptography of sealed values (sealed.ts), with nothing of IndexedDB: the page's thread and
 * the seal worker (seal-worker.ts) both use it. AES-256-GCM through WebCrypto, one random 96-bit
 * IV per value; values from `DEFLATE_FROM` bytes of JSON are deflated first.
 */

/**
 * A sealed value as stored. The bytes are kept as "binary strings" (one character per byte,
 * 0–255): V8 and IndexedDB store such strings one byte per character, so there is no base64
 * inflation, and strings survive every copy — unlike typed arrays, which Dexie's live-query cache
 * clones by constructor and breaks when the rows come from another realm (jsdom in tests).
 */
export type Envelope = {
  /** the id of the key it was sealed under (see `Keyring`) */
  k: number;
  /** 12 random bytes, never reused under one key */
  iv: string;
  /** AES-GCM ciphertext with its 16-byte tag */
  ct: string;
  /** 1 when the JSON was deflated before sealing (values over `DEFLATE_FROM` bytes) */
  z?: 1;
};

export type SealErrorCode = 'unknown_key' | 'tampered' | 'malformed';

/** Opening failed: a tampered or moved value, or one sealed under a key this keyring lacks. */
export class SealError extends Error {
  constructor(
    readonly code: SealErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SealError';
  }
}

/** The data keys, by id: `current` seals; every key opens what was sealed under it. */
export type Keyring = { current: number; keys: ReadonlyMap<number, CryptoKey> };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `utf8`'s buffer, kept between calls on this thread (up to `SCRATCH_KEPT_AT_MOST` bytes). */
let scratch = new Uint8Array(new ArrayBuffer(0));
const SCRATCH_KEPT_AT_MOST = 4 * 1024 * 1024;

/**
 * UTF-8 bytes of a string, exactly as `TextEncoder.encode` gives them (a lone surrogate becomes
 * U+FFFD): `encodeInto` a scratch buffer of the largest size the text can take, kept for the next
 * call (this thread's), then the bytes written copied out. In Chromium 156 on this project's
 * machine, for 20 blocks' JSON (2,000 profiles, names in Chinese): `encodeInto` 8.1 ms, `encode`
 * 16.5 ms, a JavaScript loop over the characters 19.3 ms (docs/benchmarks.md, "Feed pages
 * packed, in ASCII"). Kept rather than allocated per call: ≈ 200–400 KB of fresh memory per block
 * is page faults, and those are much of a sync's cost on a virtual machine (same section).
 */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  const most = text.length * 3;
  // A rare large value (beyond a few blocks' size) gets a buffer of its own, not kept.
  const into =
    most <= scratch.length
      ? scratch
      : most > SCRATCH_KEPT_AT_MOST
        ? new Uint8Array(new ArrayBuffer(most))
        : (scratch = new Uint8Array(new ArrayBuffer(most)));
  const { written } = encoder.encodeInto(text, into);
  return new Uint8Array(into.buffer.slice(0, written));
}

/**
 * Bytes as a binary string (one char per byte), in slices: `fromCharCode` takes bounded args.
 * `apply` over 1,024-byte slices: spreading 8,192-byte slices cost 2.6 times as much in Chromium
 * (0.67 against 0.26 ms for a sealed block of ≈ 20 KB, 2026-12-05).
 */
export function toBinary(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 1024)
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + 1024) as unknown as number[]);
  return out;
}

export function fromBinary(text: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(new ArrayBuffer(text.length));
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/**
 * Values from this many bytes of JSON are deflated before they are sealed. Chromium compresses
 * IndexedDB values itself (snappy), but ciphertext does not compress: sealed as is, a cache of
 * 200,000 profiles took 2.8 times the disk (bench:terminal, 2026-12-04). Deflating a block of 100
 * profiles (≈ 125 KB of JSON) costs ≈ 2 ms and makes the sealed value several times smaller than
 * its plaintext JSON. Single rows (an override, an alert, ≈ 1–2 KiB) are not deflated: a
 * (de)compression stream per small row cost more than it saved (a pull page of 1,000 override
 * rows went from ≈ 0.4 s to 2.1 s with them deflated, bench:terminal). (Compression before
 * encryption leaks only the length, to someone who already has the disk; no one here can feed
 * chosen text next to a secret and watch lengths.)
 */
export const DEFLATE_FROM = 16 * 1024;

/** Runs bytes through a (de)compression stream (no Blob or Response: jsdom lacks their streams). */
async function pipe(
  bytes: Uint8Array<ArrayBuffer>,
  through: CompressionStream | DecompressionStream,
): Promise<Uint8Array<ArrayBuffer>> {
  const writer = through.writable.getWriter();
  const written = writer.write(bytes).then(() => writer.close());
  const reader = through.readable.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.length;
  }
  await written;
  const out = new Uint8Array(new ArrayBuffer(length));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
const deflate = (bytes: Uint8Array<ArrayBuffer>) =>
  pipe(bytes, new CompressionStream('deflate-raw'));
const inflate = (bytes: Uint8Array<ArrayBuffer>) =>
  pipe(bytes, new DecompressionStream('deflate-raw'));
/** The AAD of a deflated value differs, so the flag cannot be flipped without detection. */
const aadBytes = (aad: string, z: boolean) => encoder.encode(z ? `${aad}\u0000z` : aad);

export function isEnvelope(value: unknown): value is Envelope {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.k === 'number' &&
    typeof v.iv === 'string' &&
    v.iv.length === 12 &&
    typeof v.ct === 'string'
  );
}

/**
 * JSON text as it goes into AES-GCM: UTF-8, deflated (raw) from `DEFLATE_FROM` bytes. The costly
 * half of sealing, and the same under any key and AAD, so it can be done ahead (the page worker
 * packs a customer page's blocks while the page waits its turn, held-pages.ts).
 */
export type Packed = { bytes: Uint8Array<ArrayBuffer>; z: boolean };

export async function packJson(json: string): Promise<Packed> {
  const bytes = utf8(json);
  const z = bytes.length >= DEFLATE_FROM;
  return { bytes: z ? await deflate(bytes) : bytes, z };
}

/** Seals packed JSON (`packJson`) under the current key, bound to `aad`. */
export async function sealPacked(ring: Keyring, packed: Packed, aad: string): Promise<Envelope> {
  const key = ring.keys.get(ring.current);
  if (!key) throw new SealError('unknown_key', 'the current data key is missing');
  const iv = crypto.getRandomValues(new Uint8Array(new ArrayBuffer(12)));
  const ct = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: aadBytes(aad, packed.z) },
    key,
    packed.bytes,
  );
  const stored = { k: ring.current, iv: toBinary(iv), ct: toBinary(new Uint8Array(ct)) };
  return packed.z ? { ...stored, z: 1 } : stored;
}

/** Seals JSON text (deflate-raw from `DEFLATE_FROM` bytes, then AES-GCM) under the current key. */
export async function sealJson(ring: Keyring, json: string, aad: string): Promise<Envelope> {
  return sealPacked(ring, await packJson(json), aad);
}

/** A way to seal JSON text: `sealJson` with a keyring at hand, or the seal worker's. */
export type SealJson = (json: string, aad: string) => Promise<Envelope>;

/** The JSON text a sealed value holds; SealError if it does not authenticate. */
export async function openJson(ring: Keyring, envelope: Envelope, aad: string): Promise<string> {
  if (!isEnvelope(envelope)) throw new SealError('malformed', 'not a sealed value');
  const key = ring.keys.get(envelope.k);
  if (!key) throw new SealError('unknown_key', `no data key ${envelope.k} on this terminal`);
  const z = envelope.z === 1;
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromBinary(envelope.iv), additionalData: aadBytes(aad, z) },
      key,
      fromBinary(envelope.ct),
    );
  } catch {
    // GCM says only "does not authenticate": a flipped bit, another row's value, another key.
    throw new SealError('tampered', 'a sealed value failed authentication');
  }
  const bytes = new Uint8Array(plain);
  return decoder.decode(z ? await inflate(bytes) : bytes);
}
