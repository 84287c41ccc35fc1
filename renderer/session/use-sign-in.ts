import { useCallback, useEffect, useState } from 'react';
import type { StaffMember } from '../../shared/protocol';
import { useAppStore } from '../app/store';
import { useServices } from '../app/services';
import { activeGuides, verifyGuidePin } from '../data/catalog';
import { lockedUntil, recordFailure, recordSuccess } from './lockout';

export type Guides = { state: 'loading' } | { state: 'ready'; guides: StaffMember[] };

/** The store's active guides from the local DB (refreshed when the staff feed changes). */
export function useGuides(): Guides {
  const { db, engine } = useServices();
  const [guides, setGuides] = useState<Guides>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    const load = () =>
      void activeGuides(db).then((list) => live && setGuides({ state: 'ready', guides: list }));
    load();
    let lastSync = engine.status.get().lastSuccessAt;
    const unsubscribe = engine.subscribe((status) => {
      if (status.lastSuccessAt !== lastSync) {
        lastSync = status.lastSuccessAt;
        load();
      }
    });
    return () => {
      live = false;
      unsubscribe();
    };
  }, [db, engine]);
  return guides;
}

export type PinResult =
  { kind: 'ok' } | { kind: 'wrong'; attemptsLeft: number } | { kind: 'locked'; until: Date };

/** Offline PIN check against the synced hash, with lock-out after repeated wrong PINs. */
export function usePinCheck(storage: Storage = localStorage) {
  const { db, now } = useServices();
  const signIn = useAppStore((s) => s.signIn);
  const check = useCallback(
    async (guide: StaffMember, pin: string): Promise<PinResult> => {
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
