import { pinyin } from 'pinyin-pro';
import type { CustomerProfile, CustomerRegistration } from '../../shared/protocol';

/**
 * A cached customer: the hub's profile plus what the terminal adds for lookups. One row per
 * customer in one store (Dexie v3): a second, unindexed table for the online trail cost a second
 * put per profile, and IndexedDB's cost here is per put and per index entry, not per byte.
 */
export type CachedCustomer = CustomerProfile & {
  /** pinyin initials of the name, lower case ("王芳" → "wf"), for initials lookup */
  initials: string;
  /** true for a customer registered on this terminal and not yet confirmed by the hub */
  provisional?: boolean;
};

/**
 * A registration waiting in the outbox. The raw phone is never stored in clear: it is kept
 * AES-GCM encrypted (key from the platform's secret store) until the hub has it, then dropped.
 */
export type LocalCustomerRegistration = Omit<CustomerRegistration, 'phone'> & {
  phoneCipher: string | null;
};

/**
 * Initial of one character, cached: an initial sync converts 200,000 names, and running the full
 * segmenter on each would cost seconds. The first character is read as a surname (单 → s, 曾 → z).
 */
const initialCache = new Map<string, string>();
function initialOf(char: string, isSurname: boolean): string {
  const key = isSurname ? `s${char}` : `c${char}`;
  let value = initialCache.get(key);
  if (value === undefined) {
    value = pinyin(char, {
      pattern: 'first',
      toneType: 'none',
      ...(isSurname ? { mode: 'surname' as const } : {}),
    })
      .toLowerCase()
      .replace(/[^a-z]/g, '');
    initialCache.set(key, value);
  }
  return value;
}

/** Pinyin initials of a name ("王芳" → "wf"); Latin letters keep their own initial, the rest drops. */
export function nameInitials(name: string): string {
  let out = '';
  let first = true;
  let inLatinWord = false;
  for (const char of name.trim()) {
    if (/[a-z]/i.test(char)) {
      // A Latin word contributes its first letter ("Anna" → "a").
      if (!inLatinWord) out += char.toLowerCase();
      inLatinWord = true;
      first = false;
      continue;
    }
    inLatinWord = false;
    if (/[\s\d\p{P}]/u.test(char)) continue;
    out += initialOf(char, first);
    first = false;
  }
  return out;
}

/** The row a hub profile is cached as. */
export const toCachedCustomer = (profile: CustomerProfile): CachedCustomer => ({
  ...profile,
  initials: nameInitials(profile.name),
});

/** A cached row as the profile the screens show (the lookup-only fields dropped). */
export function toProfile(row: CachedCustomer): CustomerProfile & { provisional: boolean } {
  const { initials: _initials, provisional, ...profile } = row;
  return { ...profile, provisional: provisional === true };
}
