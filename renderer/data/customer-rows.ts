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

/** Pinyin initials of a name; Latin letters keep their own initial, digits and symbols drop. */
export function nameInitials(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0) return '';
  const letters = pinyin(trimmed, { pattern: 'first', toneType: 'none', type: 'array' });
  return letters
    .join('')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
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
