import type { StaffMember } from '../../shared/protocol';
import { checkPin } from '../../shared/domain/pin-verifier';
import type { TerminalDb } from './database';
import { keepAlive } from './sealed';
import { openStaff, sealStaff, type Guide, type StaffRow } from './staff-rows';

export type { Guide };

/**
 * The store's guides: the staff feed is small and always sent whole, so it replaces the table —
 * except the rows of `keep` (ids whose row the feed sent invalid and the terminal set aside).
 */
export async function replaceStaff(
  db: TerminalDb,
  staff: readonly StaffMember[],
  keep: readonly string[] = [],
): Promise<void> {
  const kept = keep.length === 0 ? [] : (await db.staff.bulkGet([...keep])).filter((s) => !!s);
  // One keep-alive for the whole feed (sealed.ts): this runs inside the page's transaction.
  const sealed = await keepAlive(Promise.all(staff.map((s) => sealStaff(db.sealer, s))));
  await db.staff.clear();
  await db.staff.bulkPut([...kept, ...sealed]);
}

export const activeGuides = async (db: TerminalDb) =>
  (await db.staff.toArray()).filter((s) => s.active).sort((a, b) => a.name.localeCompare(b.name));

/**
 * Offline sign-in: checks a PIN against the synced verifier (scrypt; the old PBKDF2 ones until the
 * guide changes their PIN at an online sign-in). ≈ 0.3 s of CPU, yielding to the UI as it goes.
 */
export async function verifyGuidePin(
  db: TerminalDb,
  guideId: string,
  pinCode: string,
): Promise<StaffMember | null> {
  const row = await db.staff.get(guideId);
  if (!row || !row.active) return null;
  const guide = await keepAlive(openStaff(db.sealer, row));
  return (await checkPin(pinCode, guide.pinHash)).ok ? guide : null;
}

/** One guide as cached, without their PIN verifier (undefined when not in the staff feed). */
export async function guideById(db: TerminalDb, guideId: string): Promise<Guide | undefined> {
  const row = await db.staff.get(guideId);
  return row && withoutVerifier(row);
}

const withoutVerifier = ({ pinHash: _pin, sealed: _sealed, ...guide }: StaffRow): Guide => guide;
