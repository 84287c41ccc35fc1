import { Dexie } from 'dexie';

/**
 * Encryption at rest for what the terminal caches (issue #13 item 3): AES-256-GCM through
 * WebCrypto, one random 96-bit IV per sealed value, under a data key the platform keeps (Electron:
 * OS-protected `safeStorage`; browser mode: a non-extractable `CryptoKey` in its own IndexedDB,
 * see renderer/platform). The key never sits in the terminal's database.
 *
 * Every sealed value is bound to where it lives by its additional authenticated data (AAD):
 * `table` + primary key. A record copied to another row (or another table) does not open, so
 * someone with write access to the IndexedDB files cannot swap two customers' profiles, or move
 * an old sealed value over a newer one under another id.
 *
 * The envelope carries the key id, so a key can be rotated later: values sealed under an older
 * key open as long as the keyring still holds it, and are re-sealed under the current one.
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

export type Sealer = {
  /** the id of the key new values are sealed under */
  readonly keyId: number;
  seal(value: unknown, aad: string): Promise<Envelope>;
  open<T>(envelope: Envelope, aad: string): Promise<T>;
};

/** The additional data a sealed value is bound to: its table and primary key. */
export const aadFor = (table: string, primaryKey: string | number): string =>
  `shopguide/at-rest/v1\u0000${table}\u0000${typeof primaryKey === 'number' ? 'n' : 's'}:${primaryKey}`;

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

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Bytes as a binary string (one char per byte), in slices: `fromCharCode` takes bounded args. */
export function toBinary(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192)
    out += String.fromCharCode(...bytes.subarray(i, i + 8192));
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
 * profiles costs well under a millisecond and makes the sealed value several times smaller
 * than its plaintext JSON. Single rows (an override, an alert, ≈ 1–2 KiB) are not deflated: a
(de)compression stream per small row cost more than it saved (a pull page of 1,000 override rows
went from ≈ 0.4 s to 2.1 s with them deflated, bench:terminal). (Compression before encryption leaks only the length, to someone who
 * already has the disk; no one here can feed chosen text next to a secret and watch lengths.)
 */
const DEFLATE_FROM = 16 * 1024;

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

/**
 * WebCrypto resolves as a task, outside IndexedDB: awaited bare inside a Dexie transaction, the
 * transaction would commit meanwhile (PrematureCommitError), and inside a `liveQuery` the zone
 * would be lost. Wrap crypto work done inside a transaction (or a live query) in ONE `keepAlive`
 * per batch (`keepAlive(Promise.all(rows.map(open)))`): `Dexie.waitFor` keeps the transaction
 * alive meanwhile; outside one it is a plain promise. Not one per row: two `waitFor`s running at
 * once in one transaction can leave the earlier one unresolved when the later settles first
 * (Dexie 4.4 stops its keep-alive loop then), so `seal` and `open` below stay plain promises.
 */
export const keepAlive = <T>(promise: Promise<T>): Promise<T> =>
  Promise.resolve(Dexie.waitFor(promise));

/** A sealer over a keyring (or a promise of one, so a database can be built before the key is in). */
export function createSealer(
  keyring: Keyring | Promise<Keyring>,
): Sealer & { ready: Promise<Keyring> } {
  const ready = Promise.resolve(keyring);
  // The current key id is only known once the keyring is in; until then seal() waits for it.
  let keyId = 0;
  void ready.then((k) => (keyId = k.current)).catch(() => undefined);
  const seal = async (value: unknown, aad: string): Promise<Envelope> => {
    const ring = await ready;
    const key = ring.keys.get(ring.current);
    if (!key) throw new SealError('unknown_key', 'the current data key is missing');
    const iv = crypto.getRandomValues(new Uint8Array(new ArrayBuffer(12)));
    const json = encoder.encode(JSON.stringify(value));
    const z = json.length >= DEFLATE_FROM;
    const ct = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: aadBytes(aad, z) },
      key,
      z ? await deflate(json) : json,
    );
    const stored = { k: ring.current, iv: toBinary(iv), ct: toBinary(new Uint8Array(ct)) };
    return z ? { ...stored, z: 1 } : stored;
  };
  const open = async <T>(envelope: Envelope, aad: string): Promise<T> => {
    if (!isEnvelope(envelope)) throw new SealError('malformed', 'not a sealed value');
    const ring = await ready;
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
    return JSON.parse(decoder.decode(z ? await inflate(bytes) : bytes)) as T;
  };
  return {
    get keyId() {
      return keyId;
    },
    ready,
    seal,
    open,
  };
}

/** A sealer with one key, id 1 (what every terminal has until keys are rotated). */
export const singleKeySealer = (key: CryptoKey | Promise<CryptoKey>) =>
  createSealer(Promise.resolve(key).then((k) => ({ current: 1, keys: new Map([[1, k]]) })));

/** Imports 32 raw bytes as a NON-extractable AES-GCM key: script in the page cannot read it back. */
export async function importDataKey(raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  if (raw.length !== 32) throw new SealError('malformed', 'a data key is 32 bytes');
  return crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}

/** A fresh non-extractable AES-256-GCM key (browser mode keeps it as is in its own IndexedDB). */
export function generateDataKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
    'encrypt',
    'decrypt',
  ]) as Promise<CryptoKey>;
}

/** Base64 of a data key as the desktop bridge hands it over (see electron/main/services/data-key.ts). */
export function dataKeyFromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const out = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/**
 * A row with some fields sealed: `clear` names the fields that stay readable (the primary key,
 * and what Dexie indexes or lookups need); everything else goes into `sealed`, bound to
 * `table` + the row's primary key. For any table, e.g. the PIN lockout state (issue #13 item 2).
 */
export type SealedRow<R, C extends keyof R> = Pick<R, C> & { sealed: Envelope };

export async function sealRow<R extends object, C extends keyof R>(
  sealer: Sealer,
  table: string,
  primaryKey: C,
  clear: readonly C[],
  row: R,
): Promise<SealedRow<R, C>> {
  const kept: Partial<R> = {};
  const hidden: Record<string, unknown> = {};
  const keep = new Set<keyof R>([primaryKey, ...clear]);
  for (const [name, value] of Object.entries(row) as [keyof R & string, unknown][]) {
    if (keep.has(name)) (kept as Record<string, unknown>)[name] = value;
    else hidden[name] = value;
  }
  const id = row[primaryKey] as unknown as string | number;
  return { ...(kept as Pick<R, C>), sealed: await sealer.seal(hidden, aadFor(table, id)) };
}

/** The whole row back. A row written before sealing (no `sealed` field) is returned as it is. */
export async function openRow<R extends object>(
  sealer: Sealer,
  table: string,
  primaryKey: keyof R,
  stored: object,
): Promise<R> {
  if (!('sealed' in stored)) return stored as R;
  const { sealed, ...clear } = stored as { sealed: Envelope } & Record<string, unknown>;
  const id = clear[primaryKey as string] as string | number;
  const hidden = await sealer.open<Record<string, unknown>>(sealed, aadFor(table, id));
  // The clear fields win: they are what indexes and in-place updates (Dexie modify) change.
  return { ...hidden, ...clear } as R;
}

/** Whether a stored row is sealed (a plaintext row from before version 10 is not). */
export const isSealedRow = (row: object): row is { sealed: Envelope } =>
  'sealed' in row && isEnvelope((row as { sealed: unknown }).sealed);
