import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Tokens and keys are high-entropy random strings; we store only their SHA-256. */
export const newSecret = (prefix: string): string =>
  `${prefix}_${randomBytes(24).toString('base64url')}`;
export const hashSecret = (secret: string): string =>
  createHash('sha256').update(secret).digest('hex');

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
