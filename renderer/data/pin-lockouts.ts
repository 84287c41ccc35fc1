import { PIN_LOCK_MINUTES, PIN_MAX_FAILURES } from '../../shared/domain/pin-verifier';
import { newId } from '../../shared/domain/ids';
import type { TerminalDb } from './database';
import { keepAlive, openRow, sealRow, type Envelope } from './sealed';

/**
 * PIN lockout per guide on this terminal (issue #13, item 2): after `PIN_MAX_FAILURES` wrong PINs
 * the guide is locked for `PIN_LOCK_MINUTES`. It counts the PINs this terminal checked itself
 * (offline) and mirrors what the hub answered online, so going offline does not reset a count.
 * Kept in IndexedDB (Dexie v9, `pinLockouts`); every read and write of that table is in this
 * module, the one place encryption at rest has to wrap: since v10 a row keeps only the guide's
 * id readable, its count and lock sealed with that id (sealed.ts), so a copied disk does not show
 * who is being guessed at, and a count cannot be reset by editing the files (it no longer opens).
 */
export type PinLockout = {
  guideId: string;
  failures: number;
  /** ISO instant, or null while not locked */
  lockedUntil: string | null;
};
/** A row as stored: sealed since v10 (a row from v9 is the plain lockout until rewritten). */
export type PinLockoutRow = { guideId: string; sealed: Envelope } | PinLockout;

const openLockout = (db: TerminalDb, row: PinLockoutRow): Promise<PinLockout> =>
  openRow<PinLockout>(db.sealer, 'pinLockouts', 'guideId', row);
export const sealLockout = (db: TerminalDb, row: PinLockout): Promise<PinLockoutRow> =>
  sealRow(db.sealer, 'pinLockouts', 'guideId', [], row);

/** When the guide may try again, or null when not locked. */
export async function lockedUntil(
  db: TerminalDb,
  guideId: string,
  now: Date,
): Promise<Date | null> {
  const stored = await db.pinLockouts.get(guideId);
  const row = stored && (await keepAlive(openLockout(db, stored)));
  if (!row?.lockedUntil) return null;
  const at = new Date(row.lockedUntil);
  return at.getTime() > now.getTime() ? at : null;
}

/**
 * Counts a wrong PIN checked here, and queues a `sign_in_failed` audit entry for the hub (this
 * terminal checked the PIN while offline, so the hub did not see it). Returns the attempts left
 * before lock-out (0 = locked now).
 */
export async function recordFailure(db: TerminalDb, guideId: string, now: Date): Promise<number> {
  return db.transaction('rw', [db.pinLockouts, db.audit], async () => {
    const stored = await db.pinLockouts.get(guideId);
    const row = stored
      ? await keepAlive(openLockout(db, stored))
      : { guideId, failures: 0, lockedUntil: null };
    // A lock that has run out starts a fresh count.
    if (row.lockedUntil && Date.parse(row.lockedUntil) <= now.getTime()) {
      row.failures = 0;
      row.lockedUntil = null;
    }
    row.failures += 1;
    if (row.failures >= PIN_MAX_FAILURES)
      row.lockedUntil = new Date(now.getTime() + PIN_LOCK_MINUTES * 60_000).toISOString();
    await db.pinLockouts.put(await keepAlive(sealLockout(db, row)));
    await queueSignInAudit(db, guideId, 'sign_in_failed', now);
    return Math.max(0, PIN_MAX_FAILURES - row.failures);
  });
}

/** A right PIN checked here: the count goes, and a `sign_in` entry is queued for the hub. */
export async function recordSuccess(db: TerminalDb, guideId: string, now: Date): Promise<void> {
  await db.transaction('rw', [db.pinLockouts, db.audit], async () => {
    await db.pinLockouts.delete(guideId);
    await queueSignInAudit(db, guideId, 'sign_in', now);
  });
}

/**
 * What the hub answered for an online sign-in, mirrored here (the hub audits those itself):
 * `attemptsLeft` after a wrong PIN, a lock until an instant, or a success (count cleared).
 */
export async function mirrorHubAnswer(
  db: TerminalDb,
  guideId: string,
  answer: { attemptsLeft: number; lockedUntil: string | null } | 'ok',
): Promise<void> {
  if (answer === 'ok') {
    await db.pinLockouts.delete(guideId);
    return;
  }
  await db.pinLockouts.put(
    await sealLockout(db, {
      guideId,
      failures: Math.max(0, PIN_MAX_FAILURES - answer.attemptsLeft),
      lockedUntil: answer.lockedUntil,
    }),
  );
}

export async function clearLockouts(db: TerminalDb): Promise<void> {
  await db.pinLockouts.clear();
}

/** The pre-v9 localStorage key; its counts are dropped (a lock lasted 5 minutes at most). */
export const LEGACY_LOCKOUT_KEY = 'shopguide-pin-lockout';

async function queueSignInAudit(
  db: TerminalDb,
  guideId: string,
  action: 'sign_in' | 'sign_in_failed',
  now: Date,
): Promise<void> {
  await db.audit.add({
    id: newId(),
    action,
    guideId,
    customerId: null,
    at: now.toISOString(),
    synced: 0,
  });
}
