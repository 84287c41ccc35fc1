import { normalisePhone } from '../../shared/domain/phone';
import { phoneTagOf } from '../../shared/domain/phone-tag';
import type { CustomerSummary } from '../data/customer-store';
import type { TerminalDb } from '../data/database';
import { byPhoneTag, provisionalSummary } from '../data/customers';

/**
 * The cached customer with this phone number, if any (registration's duplicate warning). Compared
 * by 尾号 + phone tag: the terminal never stores a raw number or its full hash, so ≈ 1 in 100 warnings
 * names another customer sharing both (the warning says "may", and names the customer).
 */
export async function customerByPhone(
  db: TerminalDb,
  phoneHashKey: string,
  phone: string,
): Promise<CustomerSummary | undefined> {
  const normalised = normalisePhone(phone);
  if (!normalised) return undefined;
  const tag = await phoneTagOf(phoneHashKey, normalised.e164);
  return (await byPhoneTag(db, normalised.e164, tag, 1))[0];
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
