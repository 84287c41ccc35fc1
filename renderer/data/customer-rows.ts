import { pinyin } from 'pinyin-pro';
import type {
  CustomerProfile,
  CustomerRegistration,
  OnlineSummary,
  StoreSummary,
} from '../../shared/protocol';

/**
 * The indexed half of a cached customer: only what the counter searches or lists. The bulky
 * online/in-store behaviour lives in `customerDetails` (no indexes), which keeps bulk writes of
 * 200,000 profiles close to raw IndexedDB speed.
 */
export type CachedCustomer = Omit<CustomerProfile, 'online' | 'inStore'> & {
  /** pinyin initials of the name, lower case ("王芳" → "wf"), for initials lookup */
  initials: string;
  /** true for a customer registered on this terminal and not yet confirmed by the hub */
  provisional?: boolean;
};

export type CustomerDetail = { id: string; online: OnlineSummary; inStore: StoreSummary };

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

export function splitProfile(profile: CustomerProfile): {
  customer: CachedCustomer;
  detail: CustomerDetail;
} {
  const { online, inStore, ...rest } = profile;
  return {
    customer: { ...rest, initials: nameInitials(profile.name) },
    detail: { id: profile.id, online, inStore },
  };
}

export const EMPTY_ONLINE: OnlineSummary = {
  viewed: [],
  carted: [],
  wishlisted: [],
  onlineOrders: 0,
  onlineSpend: 0,
  lastOnlineAt: null,
  channel: null,
};
export const EMPTY_IN_STORE: StoreSummary = { storeOrders: 0, storeSpend: 0, lastPurchases: [] };

export function joinProfile(
  customer: CachedCustomer,
  detail: CustomerDetail | undefined,
): CustomerProfile & { provisional: boolean } {
  const { initials: _initials, provisional, ...rest } = customer;
  return {
    ...rest,
    online: detail?.online ?? EMPTY_ONLINE,
    inStore: detail?.inStore ?? EMPTY_IN_STORE,
    provisional: provisional === true,
  };
}
