import { phoneHash } from '../../shared/domain/crypto';
import { normalisePhone } from '../../shared/domain/phone';
import type { CustomerSummary } from '../data/customer-store';
import type { TerminalDb } from '../data/database';
import { byPhoneHash, provisionalSummary } from '../data/customers';

/**
 * The cached customer with this phone number, if any (registration's duplicate warning). Compared
 * by hash: the terminal never stores a raw number.
 */
export async function customerByPhone(
  db: TerminalDb,
  phoneHashKey: string,
  phone: string,
): Promise<CustomerSummary | undefined> {
  const normalised = normalisePhone(phone);
  if (!normalised) return undefined;
  const hash = await phoneHash(phoneHashKey, normalised.e164);
  return (await byPhoneHash(db, normalised.e164, hash, 1))[0];
}

/** The member with exactly this code (a scanned member QR), if cached. */
export async function customerByMemberCode(
  db: TerminalDb,
  code: string,
): Promise<CustomerSummary | undefined> {
  const trimmed = code.trim();
  if (trimmed.length === 0) return undefined;
  const [known] = await db.customerStore.byMemberCode(trimmed, 1);
  if (known) return known;
  const provisional = await db.provisionalCustomers.where('memberCode').equals(trimmed).first();
  return provisional && provisionalSummary(provisional);
}
