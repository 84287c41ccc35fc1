import { createSecretStore, type Cipher } from './secret-store';

/** A stand-in for safeStorage: reversible, but visibly not plaintext. */
function fakeCipher(available = true): Cipher {
  return {
    isAvailable: () => available,
    encrypt: (plain) => new TextEncoder().encode([...plain].reverse().join('') + '#enc'),
    decrypt: (cipher) => {
      const text = new TextDecoder().decode(cipher);
      if (!text.endsWith('#enc')) throw new Error('bad cipher');
      return [...text.slice(0, -4)].reverse().join('');
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
    peek: () => text,
  };
}

describe('secret store', () => {
  it('keeps the terminal token and hash key encrypted at rest', async () => {
    const file = memoryFile();
    const store = createSecretStore(fakeCipher(), file);
    await store.set('terminalToken', 'tok_secret_value');
    await store.set('phoneHashKey', 'abcdef0123');
    expect(file.peek()).not.toContain('tok_secret_value');
    expect(file.peek()).not.toContain('abcdef0123');
    expect(await store.get('terminalToken')).toBe('tok_secret_value');
    expect(await store.get('phoneHashKey')).toBe('abcdef0123');
  });

  it('answers null before enrolment and after a wipe', async () => {
    const store = createSecretStore(fakeCipher(), memoryFile());
    expect(await store.get('terminalToken')).toBeNull();
    await store.set('terminalToken', 'x');
    await store.clear();
    expect(await store.get('terminalToken')).toBeNull();
  });

  it('refuses to store without OS encryption instead of writing plaintext', async () => {
    const file = memoryFile();
    const store = createSecretStore(fakeCipher(false), file);
    await expect(store.set('terminalToken', 'tok')).rejects.toMatchObject({ code: 'unavailable' });
    expect(file.peek()).toBeNull();
  });

  it('treats an unreadable (other user, corrupted) file as not enrolled', async () => {
    expect(
      await createSecretStore(fakeCipher(), memoryFile('{oops')).get('terminalToken'),
    ).toBeNull();
    const foreign = memoryFile(
      JSON.stringify({ terminalToken: Buffer.from('junk').toString('base64') }),
    );
    expect(await createSecretStore(fakeCipher(), foreign).get('terminalToken')).toBeNull();
  });
});
