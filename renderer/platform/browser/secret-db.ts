import type { SecretName } from '../../../shared/bridge';

/**
 * Browser mode keeps the terminal token and phone-hash key in IndexedDB. WARNING: this is less
 * protected than the desktop app — anything running in this origin, and anyone with the browser
 * profile on disk, can read them (the desktop app encrypts them with the OS keychain). Use the
 * browser mode only on devices the store controls, and wipe it (`clearSecrets`) when a device
 * leaves the store. Kept in its own database so the data layer's Dexie schema never sees it.
 */
export const SECRET_DB_NAME = 'shopguide-platform';
const STORE = 'secrets';
/**
 * The data key the terminal's database is sealed with (renderer/data/sealed.ts), stored as a
 * non-extractable CryptoKey: script cannot export its bytes, but anyone who can run script in this
 * origin — or copies the browser profile and opens it in a browser — can use it. Weaker than the
 * desktop app's OS-protected key, and said so (docs/privacy.md, the connect screen).
 */
const KEYS = 'keys';
const DATA_KEY = 'dataKey';

function open(factory: IDBFactory): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(SECRET_DB_NAME, 2);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE);
      if (!db.objectStoreNames.contains(KEYS)) db.createObjectStore(KEYS);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('indexedDB open failed'));
  });
}

function run<T>(
  db: IDBDatabase,
  mode: IDBTransactionMode,
  action: (store: IDBObjectStore) => IDBRequest,
  store: string = STORE,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const request = action(tx.objectStore(store));
    tx.oncomplete = () => resolve(request.result as T);
    tx.onerror = () => reject(tx.error ?? new Error('indexedDB transaction failed'));
  });
}

/** A stored CryptoKey (checked by shape: a structured clone may come from another realm). */
const isKey = (value: unknown): value is CryptoKey =>
  typeof value === 'object' &&
  value !== null &&
  Object.prototype.toString.call(value) === '[object CryptoKey]';

export type SecretDb = {
  get(name: SecretName): Promise<string | null>;
  set(name: SecretName, value: string): Promise<void>;
  /** clears the secrets and the data key (cryptographic erasure of the sealed cache) */
  clear(): Promise<void>;
  /** the data key, made (non-extractable) and kept on first use */
  dataKey(generate: () => Promise<CryptoKey>): Promise<CryptoKey>;
};

export function createSecretDb(factory: IDBFactory): SecretDb {
  let db: Promise<IDBDatabase> | null = null;
  const conn = (): Promise<IDBDatabase> => (db ??= open(factory));
  return {
    async get(name) {
      const value = await run<unknown>(await conn(), 'readonly', (s) => s.get(name));
      return typeof value === 'string' ? value : null;
    },
    async set(name, value) {
      await run(await conn(), 'readwrite', (s) => s.put(value, name));
    },
    async clear() {
      await run(await conn(), 'readwrite', (s) => s.clear());
      await run(await conn(), 'readwrite', (s) => s.clear(), KEYS);
    },
    async dataKey(generate) {
      const found = await run<unknown>(await conn(), 'readonly', (s) => s.get(DATA_KEY), KEYS);
      if (isKey(found)) return found;
      const key = await generate();
      // `add`, not `put`: two windows starting at once keep the first key, and both use it.
      await run(await conn(), 'readwrite', (s) => s.add(key, DATA_KEY), KEYS).catch(
        () => undefined,
      );
      const kept = await run<unknown>(await conn(), 'readonly', (s) => s.get(DATA_KEY), KEYS);
      if (!isKey(kept)) throw new Error('the browser did not keep the data key');
      return kept;
    },
  };
}
