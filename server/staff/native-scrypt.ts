import { scrypt } from 'node:crypto';
import type { ScryptFn } from '../../shared/domain/pin-verifier';

/**
 * Node's native (OpenSSL) scrypt for the hub's PIN checks: the same output as the terminal's
 * @noble/hashes, faster, and run on libuv's thread pool, so a sign-in never blocks the event loop.
 */
export const nativeScrypt: ScryptFn = (password, salt, { N, r, p, dkLen }) =>
  new Promise((resolve, reject) =>
    scrypt(password, salt, dkLen, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(new Uint8Array(key)),
    ),
  );
