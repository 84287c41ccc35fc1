import { randomBytes } from 'node:crypto';
import type { Queryable } from '../db/database';

const SETTING_PHONE_HASH_KEY = 'phone_hash_key';

/**
 * The chain's phone-hash key: created once at the hub's first start, never changed afterwards
 * (every stored hash depends on it), and delivered to enrolled terminals for their offline
 * lookups. Integration and admin keys come from the environment or are rotated in by IT.
 */
export async function ensurePhoneHashKey(db: Queryable): Promise<void> {
  await db.query('insert into settings(key, value) values ($1, $2) on conflict (key) do nothing', [
    SETTING_PHONE_HASH_KEY,
    randomBytes(32).toString('hex'),
  ]);
}

export async function phoneHashKey(db: Queryable): Promise<string> {
  const rows = await db.query<{ value: string }>('select value from settings where key = $1', [
    SETTING_PHONE_HASH_KEY,
  ]);
  if (!rows[0]) throw new Error('phone hash key missing: run migrations first');
  return rows[0].value;
}

const cachedKeys = new WeakMap<Queryable, Promise<string>>();

/** `phoneHashKey` read once per database handle (it never changes): for the presence hot path. */
export function cachedPhoneHashKey(db: Queryable): Promise<string> {
  let key = cachedKeys.get(db);
  if (!key) {
    key = phoneHashKey(db);
    key.catch(() => cachedKeys.delete(db));
    cachedKeys.set(db, key);
  }
  return key;
}
