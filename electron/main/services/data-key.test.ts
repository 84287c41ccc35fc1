import { createDataKeyService, OS_ENCRYPTION_UNAVAILABLE } from './data-key';
import type { Cipher } from './secret-store';

/** A stand-in for safeStorage: reversible, but visibly not plaintext. */
function fakeCipher(state = { available: true }): Cipher {
  return {
    isAvailable: () => state.available,
    encrypt: (plain) => new TextEncoder().encode(`#enc#${[...plain].reverse().join('')}`),
    decrypt: (cipher) => {
      const text = new TextDecoder().decode(cipher);
      if (!text.startsWith('#enc#')) throw new Error('bad cipher');
      return [...text.slice(5)].reverse().join('');
    },
  };
}

function memoryFile(initial: string | null = null) {
  let text = initial;
  return {
    read: async () => text,
    write: async (next: string) => {
      text = next;
    },
    remove: async () => {
      text = null;
    },
    peek: () => text,
  };
}

const counting = () => {
  let n = 0;
  return (bytes: number) => new Uint8Array(bytes).fill(++n);
};

const silentLog = () => {
  const lines: string[] = [];
  return { error: (message: string) => lines.push(message), lines };
};

describe('data key (main process)', () => {
  it('generates 32 bytes once and keeps them only OS-encrypted on disk', async () => {
    const file = memoryFile();
    const service = createDataKeyService(fakeCipher(), file, counting(), silentLog());
    const key = await service.get();
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    expect(file.peek()).not.toBeNull();
    expect(file.peek()).not.toContain(key);
    // Another start reads the same key back instead of making a new one.
    const again = createDataKeyService(fakeCipher(), file, counting(), silentLog());
    expect(await again.get()).toBe(key);
  });

  it('refuses to generate or store a key in clear without OS encryption, and says why', async () => {
    const file = memoryFile();
    const log = silentLog();
    const service = createDataKeyService(fakeCipher({ available: false }), file, counting(), log);
    await expect(service.get()).rejects.toMatchObject({
      code: 'unavailable',
      message: OS_ENCRYPTION_UNAVAILABLE,
    });
    expect(file.peek()).toBeNull();
    expect(log.lines).toEqual([OS_ENCRYPTION_UNAVAILABLE]);
  });

  it('does not replace a stored key it cannot decrypt (the sealed cache would be orphaned)', async () => {
    const file = memoryFile(Buffer.from('junk').toString('base64'));
    const log = silentLog();
    const service = createDataKeyService(fakeCipher(), file, counting(), log);
    await expect(service.get()).rejects.toMatchObject({ code: 'unavailable' });
    expect(file.peek()).toBe(Buffer.from('junk').toString('base64'));
    // The log says what happened, never the key or the file's content.
    expect(log.lines.join(' ')).not.toContain('junk');
  });

  it('erases the key: the next start makes a new one (what was sealed before no longer opens)', async () => {
    const file = memoryFile();
    const service = createDataKeyService(fakeCipher(), file, counting(), silentLog());
    const before = await service.get();
    await service.erase();
    expect(file.peek()).toBeNull();
    expect(await service.get()).not.toBe(before);
  });
});
