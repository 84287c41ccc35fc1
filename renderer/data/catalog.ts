import type { ProductItem, StaffMember } from '../../shared/protocol';
import { checkPin } from '../../shared/domain/pin-verifier';
import type { TerminalDb } from './database';
import { keepAlive } from './sealed';
import { openStaff, sealStaff } from './staff-rows';

/** Applies catalog feed rows inside the caller's transaction (products + syncState). */
export async function applyProductItems(
  db: TerminalDb,
  items: readonly ProductItem[],
): Promise<void> {
  if (items.length === 0) return;
  // A SKU is unique; a product re-created under a new id must replace the old row first.
  const skus = items.map((p) => p.sku);
  const clashing = await db.products.where('sku').anyOf(skus).toArray();
  const ids = new Set(items.map((p) => p.id));
  const stale = clashing.filter((p) => !ids.has(p.id)).map((p) => p.id);
  if (stale.length > 0) await db.products.bulkDelete(stale);
  await db.products.bulkPut(items);
}

/** A scanned or typed code: SKU first, then barcode. Inactive products are still found (returns). */
export async function findProductByCode(
  db: TerminalDb,
  code: string,
): Promise<ProductItem | undefined> {
  const trimmed = code.trim();
  if (trimmed.length === 0) return undefined;
  return (
    (await db.products.where('sku').equals(trimmed).first()) ??
    (await db.products.where('barcode').equals(trimmed).first())
  );
}

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
