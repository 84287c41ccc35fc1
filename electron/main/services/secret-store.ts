import type { SecretName } from '../../../shared/bridge';
import { BridgeFailure } from '../ipc/registrar';

/** What the store needs from Electron's `safeStorage`, injected so the logic is tested without it. */
export type Cipher = {
  isAvailable(): boolean;
  encrypt(plain: string): Uint8Array;
  decrypt(cipher: Uint8Array): string;
};

export type SecretFile = {
  read(): Promise<string | null>;
  write(text: string): Promise<void>;
};

export type SecretStore = {
  get(name: SecretName): Promise<string | null>;
  set(name: SecretName, value: string): Promise<void>;
  clear(): Promise<void>;
};

const toBase64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const fromBase64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

/**
 * The terminal token and the phone-hash key, encrypted with the OS keychain (DPAPI, Keychain,
 * libsecret) through `safeStorage` and kept as base64 in one JSON file in the user data dir. The
 * file alone, copied off a stolen PC, is useless. Without OS encryption it refuses to store
 * rather than silently writing plaintext.
 */
export function createSecretStore(cipher: Cipher, file: SecretFile): SecretStore {
  const load = async (): Promise<Record<string, string>> => {
    const text = await file.read();
    if (text === null) return {};
    try {
      const parsed: unknown = JSON.parse(text);
      return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
    } catch {
      return {};
    }
  };
  return {
    async get(name) {
      const stored = (await load())[name];
      if (stored === undefined) return null;
      if (!cipher.isAvailable())
        throw new BridgeFailure('unavailable', 'OS encryption is unavailable');
      try {
        return cipher.decrypt(fromBase64(stored));
      } catch {
        // Encrypted under another OS user or a reinstalled keychain: treat as not enrolled.
        return null;
      }
    },
    async set(name, value) {
      if (!cipher.isAvailable()) {
        throw new BridgeFailure('unavailable', 'OS encryption is unavailable; refusing to store');
      }
      const all = await load();
      all[name] = toBase64(cipher.encrypt(value));
      await file.write(JSON.stringify(all));
    },
    async clear() {
      await file.write('{}');
    },
  };
}
