/**
 * A registration made offline must carry the customer's phone to the hub, yet the raw number
 * must never sit in IndexedDB. It is kept AES-GCM encrypted under a key derived (HKDF) from the
 * chain's phone-hash key, which lives in the platform secret store, and dropped once synced.
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(new ArrayBuffer(hex.length / 2));
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
const toHex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

async function outboxKey(phoneHashKeyHex: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', fromHex(phoneHashKeyHex), 'HKDF', false, [
    'deriveKey',
  ]);
  return crypto.subtle.deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: new Uint8Array(new ArrayBuffer(0)),
      info: encoder.encode('shopguide/outbox-phone/v1'),
    },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

export async function encryptPhone(phoneHashKeyHex: string, e164: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(new ArrayBuffer(12)));
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv },
    await outboxKey(phoneHashKeyHex),
    encoder.encode(e164),
  );
  return `${toHex(iv)}.${toHex(new Uint8Array(sealed))}`;
}

export async function decryptPhone(phoneHashKeyHex: string, cipher: string): Promise<string> {
  const [iv, body] = cipher.split('.');
  if (!iv || !body) throw new Error('malformed phone cipher');
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: fromHex(iv) },
    await outboxKey(phoneHashKeyHex),
    fromHex(body),
  );
  return decoder.decode(plain);
}
