import { liveQuery } from 'dexie';
import { useCallback, useEffect, useState } from 'react';
import type { Guide } from '../data/staff-rows';
import { useAppStore } from '../app/store';
import { useServices } from '../app/services';
import { activeGuides, verifyGuidePin } from '../data/catalog';
import { lockedUntil, recordFailure, recordSuccess } from './lockout';

export type Guides = { state: 'loading' } | { state: 'ready'; guides: Guide[] };

/**
 * The store's active guides from the local DB, live: a staff pull that deactivates or adds a
 * guide changes the tiles at once (Dexie `liveQuery` watches the table, not the sync clock).
 */
export function useGuides(): Guides {
  const { db } = useServices();
  const [guides, setGuides] = useState<Guides>({ state: 'loading' });
  useEffect(() => {
    const subscription = liveQuery(() => activeGuides(db)).subscribe({
      next: (list) => setGuides({ state: 'ready', guides: list }),
      // A failed read leaves the last list on screen; the next change retries.
      error: () => undefined,
    });
    return () => subscription.unsubscribe();
  }, [db]);
  return guides;
}

export type PinResult =
  | { kind: 'ok' }
  | { kind: 'wrong'; attemptsLeft: number }
  | { kind: 'locked'; until: Date }
  | { kind: 'deactivated' };

/**
 * Offline PIN check against the synced hash, with lock-out after repeated wrong PINs. The guide's
 * state is read from the local DB at submit time, not from the tile that was picked: a guide
 * deactivated while the PIN pad was open is refused (and no wrong-PIN attempt is counted).
 */
export function usePinCheck(storage: Storage = localStorage) {
  const { db, now } = useServices();
  const signIn = useAppStore((s) => s.signIn);
  const check = useCallback(
    async (guide: Guide, pin: string): Promise<PinResult> => {
      const current = await db.staff.get(guide.id);
      if (!current?.active) return { kind: 'deactivated' };
      const locked = lockedUntil(storage, guide.id, now());
      if (locked) return { kind: 'locked', until: locked };
      const verified = await verifyGuidePin(db, guide.id, pin);
      if (!verified) {
        const attemptsLeft = recordFailure(storage, guide.id, now());
        const until = lockedUntil(storage, guide.id, now());
        return until ? { kind: 'locked', until } : { kind: 'wrong', attemptsLeft };
      }
      recordSuccess(storage, guide.id);
      signIn({ id: verified.id, name: verified.name, role: verified.role });
      return { kind: 'ok' };
    },
    [db, now, signIn, storage],
  );
  const lockedFor = useCallback(
    (guideId: string) => lockedUntil(storage, guideId, now()),
    [storage, now],
  );
  return { check, lockedFor };
}
