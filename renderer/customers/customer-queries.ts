import { phoneHash } from '../../shared/domain/crypto';
import { normalisePhone } from '../../shared/domain/phone';
import type { CachedCustomer } from '../data/customer-rows';
import type { TerminalDb } from '../data/database';
import { byPhoneHash } from '../data/customers';

/**
 * The cached customer with this phone number, if any (registration's duplicate warning). Compared
 * by hash: the terminal never stores a raw number.
 */
export async function customerByPhone(
  db: TerminalDb,
  phoneHashKey: string,
  phone: string,
): Promise<CachedCustomer | undefined> {
  const normalised = normalisePhone(phone);
  if (!normalised) return undefined;
  const hash = await phoneHash(phoneHashKey, normalised.e164);
  return byPhoneHash(db, normalised.e164, hash).first();
}

/** The member with exactly this code (a scanned member QR), if cached. */
export async function customerByMemberCode(
  db: TerminalDb,
  code: string,
): Promise<CachedCustomer | undefined> {
  const trimmed = code.trim();
  if (trimmed.length === 0) return undefined;
  return db.customers.where('memberCode').equals(trimmed).first();
}
