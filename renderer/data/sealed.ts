import { Dexie } from 'dexie';
import {
  DEFLATE_FROM,
  isEnvelope,
  openJson,
  packJson,
  sealJson,
  sealPacked,
  SealError,
  type Envelope,
  type Keyring,
  type Packed,
  type SealJson,
} from './seal-crypto';
import { sealInWorker, type SealWorkerPort } from './seal-in-worker';

export {
  fromBinary,
  isEnvelope,
  openJson,
  SealError,
  sealJson,
  toBinary,
  type Envelope,
  type Keyring,
  type Packed,
  type SealErrorCode,
  type SealJson,
} from './seal-crypto';

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

export type Sealer = {
  /** the id of the key new values are sealed under */
  readonly keyId: number;
  seal(value: unknown, aad: string): Promise<Envelope>;
  open<T>(envelope: Envelope, aad: string): Promise<T>;
  /** its keyring, to hand a worker that seals with the same keys (the page worker) */
  readonly ready?: Promise<Keyring>;
  /**
   * Sealing in two halves, where it is done on the same thread (the page worker packs a page's
   * blocks ahead, held-pages.ts): `pack` serialises and deflates a value, `sealPacked` encrypts
   * it bound to `aad` — the envelope `seal(value, aad)` would give.
   */
  pack?(value: unknown): Promise<Packed>;
  sealPacked?(packed: Packed, aad: string): Promise<Envelope>;
};

/** The additional data a sealed value is bound to: its table and primary key. */
export const aadFor = (table: string, primaryKey: string | number): string =>
  `shopguide/at-rest/v1\u0000${table}\u0000${typeof primaryKey === 'number' ? 'n' : 's'}:${primaryKey}`;

/**
 * JSON from this many characters is sealed through `offload` when the sealer has one (the seal
 * worker): what gets deflated (`DEFLATE_FROM` bytes) is where the CPU goes.
 */
const OFFLOAD_FROM = DEFLATE_FROM;

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
  offload?: SealJson,
): Sealer & { ready: Promise<Keyring> } {
  const ready = Promise.resolve(keyring);
  // The current key id is only known once the keyring is in; until then seal() waits for it.
  let keyId = 0;
  void ready.then((k) => (keyId = k.current)).catch(() => undefined);
  const seal = async (value: unknown, aad: string): Promise<Envelope> => {
    const json = JSON.stringify(value);
    // Large values (customer blocks) are deflated and encrypted in the seal worker, when there
    // is one: the page's thread only serialises them.
    if (offload && json.length >= OFFLOAD_FROM) return offload(json, aad);
    return sealJson(await ready, json, aad);
  };
  const open = async <T>(envelope: Envelope, aad: string): Promise<T> =>
    JSON.parse(await openJson(await ready, envelope, aad)) as T;
  return {
    get keyId() {
      return keyId;
    },
    ready,
    seal,
    open,
    // In two halves only where it all runs here (with a seal worker, the worker does both).
    ...(offload
      ? {}
      : {
          pack: (value: unknown) => packJson(JSON.stringify(value)),
          sealPacked: async (packed: Packed, aad: string) => sealPacked(await ready, packed, aad),
        }),
  };
}

/**
 * A sealer with one key, id 1 (what every terminal has until keys are rotated). With
 * `createWorker`, large values (customer blocks) are deflated and encrypted in the seal worker
 * (seal-in-worker.ts); without, or if the worker fails, here.
 */
export function singleKeySealer(
  key: CryptoKey | Promise<CryptoKey>,
  createWorker?: () => SealWorkerPort,
  workers = 1,
): Sealer & { ready: Promise<Keyring> } {
  const keyring = singleKeyring(key);
  const offload =
    createWorker &&
    sealInWorker({
      createWorker,
      keyring,
      fallback: async (json, aad) => sealJson(await keyring, json, aad),
      workers,
    });
  return createSealer(keyring, offload);
}

/** The keyring of one key, id 1. */
export const singleKeyring = (key: CryptoKey | Promise<CryptoKey>): Promise<Keyring> =>
  Promise.resolve(key).then((k) => ({ current: 1, keys: new Map([[1, k]]) }));

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
