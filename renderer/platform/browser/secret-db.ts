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

function open(factory: IDBFactory): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(SECRET_DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('indexedDB open failed'));
  });
}

function run<T>(
  db: IDBDatabase,
  mode: IDBTransactionMode,
  action: (store: IDBObjectStore) => IDBRequest,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const request = action(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(request.result as T);
    tx.onerror = () => reject(tx.error ?? new Error('indexedDB transaction failed'));
  });
}

export type SecretDb = {
  get(name: SecretName): Promise<string | null>;
  set(name: SecretName, value: string): Promise<void>;
  clear(): Promise<void>;
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
    },
  };
}
