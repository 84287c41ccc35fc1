import { BridgeFailure } from '../ipc/registrar';
import type { Cipher } from './secret-store';

/** The file the wrapped data key lives in, injected so the logic is tested without a disk. */
export type DataKeyFile = {
  read(): Promise<string | null>;
  write(text: string): Promise<void>;
  remove(): Promise<void>;
};

export type DataKeyService = {
  /** the 256-bit data key as base64, generated and stored (OS-encrypted) on first use */
  get(): Promise<string>;
  /** cryptographic erasure: without this key nothing sealed in the terminal's database opens */
  erase(): Promise<void>;
};

/** Said to the guide (and the log) when the OS cannot protect the key: no fallback to clear text. */
export const OS_ENCRYPTION_UNAVAILABLE =
  'OS encryption (safeStorage: DPAPI / Keychain / libsecret) is unavailable: ShopGuide will not keep customer data on this PC until it is';

const KEY_BYTES = 32;

/**
 * The terminal's data key (issue #13 item 3): the AES-256-GCM key the renderer seals its customer
 * cache, alerts and outbox with. Generated once in the main process, kept in the user data dir
 * ONLY as `safeStorage.encryptString` output (DPAPI on Windows, Keychain on macOS, libsecret /
 * kwallet on Linux), and handed to the renderer over the bridge, which imports it as a
 * non-extractable CryptoKey. The file alone, copied off a stolen disk, opens nothing.
 *
 * Without OS encryption it refuses: no key is generated or written in clear, the call fails with
 * `unavailable`, and the renderer shows why and stays on that screen (the same policy as the
 * terminal token, which cannot be stored then either). A key that does not decrypt (another OS
 * user, a reset keychain) is not replaced silently either: it fails the same way, so the sealed
 * cache is not orphaned by accident; IT un-enrols the terminal (which erases the key) to start over.
 */
export function createDataKeyService(
  cipher: Cipher,
  file: DataKeyFile,
  random: (bytes: number) => Uint8Array,
  log: { error(message: string): void },
): DataKeyService {
  let cached: string | null = null;
  const unavailable = (): never => {
    log.error(OS_ENCRYPTION_UNAVAILABLE);
    throw new BridgeFailure('unavailable', OS_ENCRYPTION_UNAVAILABLE);
  };
  return {
    async get() {
      if (cached !== null) return cached;
      if (!cipher.isAvailable()) return unavailable();
      const stored = await file.read();
      if (stored !== null) {
        let key: string;
        try {
          key = cipher.decrypt(Buffer.from(stored.trim(), 'base64'));
        } catch {
          log.error('the stored data key does not decrypt with this OS user (keychain reset?)');
          throw new BridgeFailure('unavailable', 'the stored data key cannot be decrypted');
        }
        if (Buffer.from(key, 'base64').length !== KEY_BYTES)
          throw new BridgeFailure('internal', 'the stored data key is malformed');
        return (cached = key);
      }
      const key = Buffer.from(random(KEY_BYTES)).toString('base64');
      await file.write(Buffer.from(cipher.encrypt(key)).toString('base64'));
      return (cached = key);
    },
    async erase() {
      cached = null;
      await file.remove();
    },
  };
}
