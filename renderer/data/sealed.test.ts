import { describe, expect, it } from 'vitest';
import {
  aadFor,
  createSealer,
  generateDataKey,
  importDataKey,
  isSealedRow,
  openRow,
  sealRow,
  singleKeySealer,
  fromBinary,
  toBinary,
  type Envelope,
} from './sealed';

const bytes = (n: number, fill: number) => new Uint8Array(new ArrayBuffer(n)).fill(fill);
const text = (envelope: Envelope) =>
  envelope.ct + new TextDecoder('utf-8', { fatal: false }).decode(fromBinary(envelope.ct));

describe('sealed values (AES-GCM at rest)', () => {
  const profile = {
    name: '王芳',
    notes: 'NOTES-MARKER-7731 prefers linen',
    sizes: { top: 'M', shoe: '38' },
    online: { viewed: [{ sku: 'SKU-UNIQUE-4410' }] },
  };

  it('round-trips a JSON value under its table and primary key', async () => {
    const sealer = singleKeySealer(generateDataKey());
    const envelope = await sealer.seal(profile, aadFor('customerBlocks', 7));
    expect(envelope.k).toBe(1);
    expect(envelope.iv).toHaveLength(12);
    expect(await sealer.open(envelope, aadFor('customerBlocks', 7))).toEqual(profile);
  });

  it('leaves no plaintext name, note or SKU in the stored bytes', async () => {
    const sealer = singleKeySealer(generateDataKey());
    const envelope = await sealer.seal(profile, aadFor('customerBlocks', 7));
    const stored = text(envelope);
    for (const needle of ['王芳', 'NOTES-MARKER-7731', 'SKU-UNIQUE-4410', 'linen', 'shoe'])
      expect(stored).not.toContain(needle);
  });

  it('uses a fresh IV per seal: the same value twice gives different bytes', async () => {
    const sealer = singleKeySealer(generateDataKey());
    const a = await sealer.seal(profile, aadFor('t', 1));
    const b = await sealer.seal(profile, aadFor('t', 1));
    expect(a.iv).not.toBe(b.iv);
    expect(a.ct).not.toBe(b.ct);
  });

  it('detects a flipped bit in the ciphertext, the tag or the IV', async () => {
    const sealer = singleKeySealer(generateDataKey());
    const aad = aadFor('alerts', 'a1');
    const envelope = await sealer.seal(profile, aad);
    const flipped = (binary: string, at: number) => {
      const copy = fromBinary(binary);
      copy[at]! ^= 0x01;
      return toBinary(copy);
    };
    await expect(
      sealer.open({ ...envelope, ct: flipped(envelope.ct, 0) }, aad),
    ).rejects.toMatchObject({ code: 'tampered' });
    await expect(
      sealer.open({ ...envelope, ct: flipped(envelope.ct, envelope.ct.length - 1) }, aad),
    ).rejects.toMatchObject({ code: 'tampered' });
    await expect(
      sealer.open({ ...envelope, iv: flipped(envelope.iv, 3) }, aad),
    ).rejects.toMatchObject({ code: 'tampered' });
  });

  it('refuses a value moved to another row or table (AAD binds table + primary key)', async () => {
    const sealer = singleKeySealer(generateDataKey());
    const envelope = await sealer.seal(profile, aadFor('customerOverrides', 'id-1'));
    await expect(sealer.open(envelope, aadFor('customerOverrides', 'id-2'))).rejects.toMatchObject({
      code: 'tampered',
    });
    await expect(
      sealer.open(envelope, aadFor('provisionalCustomers', 'id-1')),
    ).rejects.toMatchObject({ code: 'tampered' });
    // A number key and the same digits as a string are different rows.
    const block = await sealer.seal(profile, aadFor('customerBlocks', 1));
    await expect(sealer.open(block, aadFor('customerBlocks', '1'))).rejects.toMatchObject({
      code: 'tampered',
    });
  });

  it('refuses a value sealed under another key, and one whose key id it does not hold', async () => {
    const mine = singleKeySealer(importDataKey(bytes(32, 1)));
    const theirs = singleKeySealer(importDataKey(bytes(32, 2)));
    const envelope = await theirs.seal(profile, aadFor('t', 1));
    await expect(mine.open(envelope, aadFor('t', 1))).rejects.toMatchObject({ code: 'tampered' });
    await expect(mine.open({ ...envelope, k: 2 }, aadFor('t', 1))).rejects.toMatchObject({
      code: 'unknown_key',
    });
  });

  it('opens values sealed under an older key of the keyring, and seals under the current one', async () => {
    const old = await importDataKey(bytes(32, 1));
    const next = await importDataKey(bytes(32, 2));
    const before = singleKeySealer(old);
    const sealedBefore = await before.seal(profile, aadFor('t', 1));
    const rotated = createSealer({
      current: 2,
      keys: new Map([
        [1, old],
        [2, next],
      ]),
    });
    expect(await rotated.open(sealedBefore, aadFor('t', 1))).toEqual(profile);
    expect((await rotated.seal(profile, aadFor('t', 1))).k).toBe(2);
  });

  it('imports data keys as non-extractable, and only 32-byte ones', async () => {
    const key = await importDataKey(bytes(32, 9));
    expect(key.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow();
    expect((await generateDataKey()).extractable).toBe(false);
    await expect(importDataKey(bytes(16, 9))).rejects.toMatchObject({ code: 'malformed' });
  });

  it('deflates large values before sealing (ciphertext does not compress on disk), detectably', async () => {
    const sealer = singleKeySealer(generateDataKey());
    const block = Array.from({ length: 200 }, (_, i) => ({ ...profile, name: `客${i}` }));
    const envelope = await sealer.seal(block, aadFor('customerBlocks', 3));
    expect(envelope.z).toBe(1);
    expect(envelope.ct.length).toBeLessThan(JSON.stringify(block).length / 4);
    expect(text(envelope)).not.toContain('NOTES-MARKER-7731');
    expect(await sealer.open(envelope, aadFor('customerBlocks', 3))).toEqual(block);
    const { z: _z, ...unflagged } = envelope;
    await expect(sealer.open(unflagged, aadFor('customerBlocks', 3))).rejects.toMatchObject({
      code: 'tampered',
    });
    expect((await sealer.seal({ a: 1 }, aadFor('t', 1))).z).toBeUndefined();
  });

  it('seals a row but the fields named clear; opens it whole; passes a legacy plaintext row', async () => {
    const sealer = singleKeySealer(generateDataKey());
    const row = { id: 'g1', storeId: 's1', name: '李雷', pinHash: 'pbkdf2$secret-verifier' };
    const sealed = await sealRow(sealer, 'staff', 'id', ['storeId', 'name'], row);
    expect(Object.keys(sealed).sort()).toEqual(['id', 'name', 'sealed', 'storeId']);
    expect(JSON.stringify(sealed)).not.toContain('secret-verifier');
    expect(isSealedRow(sealed)).toBe(true);
    expect(await openRow(sealer, 'staff', 'id', sealed)).toEqual(row);
    expect(await openRow(sealer, 'staff', 'id', row)).toEqual(row);
    expect(isSealedRow(row)).toBe(false);
    // The row's sealed part cannot be grafted onto another guide.
    await expect(openRow(sealer, 'staff', 'id', { ...sealed, id: 'g2' })).rejects.toMatchObject({
      code: 'tampered',
    });
  });
});
