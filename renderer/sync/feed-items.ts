import type { z } from 'zod';
import {
  cursor,
  customerProfile,
  customerTombstone,
  followUpItem,
  MAX_REJECT_REASON,
  productItem,
  staffMember,
  type CustomerFeedItem,
  type FeedNameWire,
  type FollowUpItem,
  type ProductItem,
  type StaffMember,
} from '../../shared/protocol';
import { fastSafeParse } from '../../shared/protocol/accept';
import type { SetAsideItem } from '../data/feed-rejects';

// The set-aside row's shape is the data layer's (it is what data/feed-rejects.ts stores).
export type { SetAsideItem };

/** A feed's rows split into the ones that validate and the ones set aside. */
export type CheckedItems<T> = { items: T[]; rejects: SetAsideItem[] };

const ISSUES_SHOWN = 5;

function reasonOf(error: z.ZodError): string {
  const issues = error.issues.slice(0, ISSUES_SHOWN).map((issue) => {
    const path = issue.path.map(String).join('.') || 'item';
    return `${path}: ${issue.message}`;
  });
  const more = error.issues.length - ISSUES_SHOWN;
  const text = more > 0 ? `${issues.join('; ')}; +${more} more` : issues.join('; ');
  return (text || 'invalid item').slice(0, MAX_REJECT_REASON);
}

function field(raw: unknown, key: 'id' | 'seq'): unknown {
  return typeof raw === 'object' && raw !== null
    ? (raw as Record<string, unknown>)[key]
    : undefined;
}

function rejectOf(feed: FeedNameWire, raw: unknown, error: z.ZodError): SetAsideItem {
  const id = field(raw, 'id');
  const seq = field(raw, 'seq');
  return {
    feed,
    id: typeof id === 'string' && id.length > 0 && id.length <= 64 ? id : null,
    seq: cursor.safeParse(seq).success ? (seq as string) : null,
    reason: reasonOf(error),
  };
}

/**
 * Validates rows one by one. A page used to be validated as a whole, so one row out of the
 * schema's range stopped that feed on every terminal for good; now such a row is set aside and
 * the rest of its page is applied (the caller still moves the cursor past the whole page).
 */
function checkEach<T>(
  feed: FeedNameWire,
  raw: readonly unknown[],
  parse: (item: unknown) => z.ZodSafeParseResult<T>,
): CheckedItems<T> {
  const items: T[] = [];
  const rejects: SetAsideItem[] = [];
  for (const item of raw) {
    const parsed = parse(item);
    if (parsed.success) items.push(parsed.data);
    else rejects.push(rejectOf(feed, item, parsed.error));
  }
  return { items, rejects };
}

const parseProfile = fastSafeParse(customerProfile);
const parseTombstone = fastSafeParse(customerTombstone);

/**
 * Customer feed rows. Picks the schema by shape instead of a union: a union tries the tombstone
 * first and builds a failure for every profile, which doubled parse time on a 200,000-row sync.
 * Each row goes through the schema's acceptor first (shared/protocol/accept.ts), which gives
 * zod's value for a row zod accepts in about half the time zod takes without eval (the CSP); a
 * row it does not accept is zod's to answer, so refusals and their reasons stay zod's.
 */
export const checkCustomerItems = (raw: readonly unknown[]): CheckedItems<CustomerFeedItem> =>
  checkEach<CustomerFeedItem>('customers', raw, (item) =>
    typeof item === 'object' && item !== null && 'deleted' in item
      ? parseTombstone(item)
      : parseProfile(item),
  );

export const checkProductItems = (raw: readonly unknown[]): CheckedItems<ProductItem> =>
  checkEach('catalog', raw, (item) => productItem.safeParse(item));

export const checkFollowUpItems = (raw: readonly unknown[]): CheckedItems<FollowUpItem> =>
  checkEach('followUps', raw, (item) => followUpItem.safeParse(item));

export const checkStaffItems = (raw: readonly unknown[]): CheckedItems<StaffMember> =>
  checkEach('staff', raw, (item) => staffMember.safeParse(item));
