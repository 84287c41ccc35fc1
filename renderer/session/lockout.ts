/**
 * PIN lock-out per guide: after `MAX_FAILURES` wrong PINs the guide is locked for `LOCK_MINUTES`.
 * Kept in local storage so reloading the page does not reset the count (the counter PC is
 * shared; the PIN hashes are on it, so guessing must stay slow).
 */
export const MAX_FAILURES = 5;
export const LOCK_MINUTES = 5;

type Entry = { failures: number; lockedUntil: string | null };
type Table = Record<string, Entry>;

const KEY = 'shopguide-pin-lockout';

function read(storage: Storage): Table {
  try {
    const raw = storage.getItem(KEY);
    const parsed: unknown = raw === null ? {} : JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Table) : {};
  } catch {
    return {};
  }
}

const write = (storage: Storage, table: Table) => storage.setItem(KEY, JSON.stringify(table));

/** When the guide may try again, or null when not locked. */
export function lockedUntil(storage: Storage, guideId: string, now: Date): Date | null {
  const until = read(storage)[guideId]?.lockedUntil;
  if (!until) return null;
  const at = new Date(until);
  return at.getTime() > now.getTime() ? at : null;
}

/** Counts a wrong PIN; returns the attempts left before lock-out (0 = locked now). */
export function recordFailure(storage: Storage, guideId: string, now: Date): number {
  const table = read(storage);
  const entry = table[guideId] ?? { failures: 0, lockedUntil: null };
  // A lock that has run out starts a fresh count.
  if (entry.lockedUntil && Date.parse(entry.lockedUntil) <= now.getTime()) {
    entry.failures = 0;
    entry.lockedUntil = null;
  }
  entry.failures += 1;
  if (entry.failures >= MAX_FAILURES) {
    entry.lockedUntil = new Date(now.getTime() + LOCK_MINUTES * 60_000).toISOString();
  }
  table[guideId] = entry;
  write(storage, table);
  return Math.max(0, MAX_FAILURES - entry.failures);
}

export function recordSuccess(storage: Storage, guideId: string): void {
  const rest = Object.fromEntries(Object.entries(read(storage)).filter(([id]) => id !== guideId));
  write(storage, rest);
}

export function clearLockouts(storage: Storage): void {
  storage.removeItem(KEY);
}
