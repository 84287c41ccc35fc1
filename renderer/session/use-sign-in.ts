import { useCallback, useEffect, useState } from 'react';
import { pinRefusalDetails } from '../../shared/protocol';
import { useAppStore } from '../core/store';
import { useServices } from '../core/services';
import type { SignedInGuide } from '../core/session';
import { watchQuery } from '../data/live';
import { activeGuides, guideById, verifyGuidePin, type Guide } from '../data/staff';
import { lockedUntil, mirrorHubAnswer, recordFailure, recordSuccess } from '../data/pin-lockouts';

export type Guides = { state: 'loading' } | { state: 'ready'; guides: Guide[] };

/**
 * The store's active guides from the local DB, live: a staff pull that deactivates or adds a
 * guide changes the tiles at once (Dexie `liveQuery` watches the table, not the sync clock).
 */
export function useGuides(): Guides {
  const { db } = useServices();
  const [guides, setGuides] = useState<Guides>({ state: 'loading' });
  useEffect(() => {
    return watchQuery(() => activeGuides(db), {
      next: (list) => setGuides({ state: 'ready', guides: list }),
      // A failed read leaves the last list on screen; the next change retries.
      error: () => undefined,
    });
  }, [db]);
  return guides;
}

export type PinResult =
  | { kind: 'ok'; guide: SignedInGuide }
  /** the hub says this PIN must be replaced now (short, or an old verifier): not signed in yet */
  | { kind: 'changeRequired'; guide: SignedInGuide }
  | { kind: 'wrong'; attemptsLeft: number }
  | { kind: 'locked'; until: Date }
  | { kind: 'deactivated' };

/**
 * Checks a guide's PIN. Online, the hub checks it (its lockout spans the store's terminals, and it
 * audits the attempt); this terminal mirrors the answer in its own lockout. When the hub cannot be
 * reached (network error, timeout, 5xx, 429) the PIN is checked here against the synced verifier,
 * with the local lockout, and the attempt is queued as an audit entry for the hub.
 * The guide's state is read from the local DB at submit time, not from the tile that was picked: a
 * guide deactivated while the PIN pad was open is refused (and no wrong-PIN attempt is counted).
 */
export function usePinVerification() {
  const { db, engine, now } = useServices();
  return useCallback(
    async (guide: Pick<Guide, 'id'>, pin: string): Promise<PinResult> => {
      const current = await guideById(db, guide.id);
      if (!current?.active) return { kind: 'deactivated' };
      const locked = await lockedUntil(db, guide.id, now());
      if (locked) return { kind: 'locked', until: locked };

      const online = await engine.signInOnline(guide.id, pin);
      if (online.ok) {
        await mirrorHubAnswer(db, guide.id, 'ok');
        const signedIn = online.value.guide;
        return online.value.pinChangeRequired
          ? { kind: 'changeRequired', guide: signedIn }
          : { kind: 'ok', guide: signedIn };
      }
      const { reason, details } = online.error;
      const refusal = pinRefusalDetails.safeParse(details);
      if ((reason === 'wrong_pin' || reason === 'pin_locked') && refusal.success) {
        await mirrorHubAnswer(db, guide.id, refusal.data);
        return refusal.data.lockedUntil
          ? { kind: 'locked', until: new Date(refusal.data.lockedUntil) }
          : { kind: 'wrong', attemptsLeft: refusal.data.attemptsLeft };
      }
      // Deactivated at the hub (or not a guide of this store there): this terminal's staff list
      // is behind; pull it so the tile goes too.
      if (reason === 'guide_inactive' || online.error.status === 404) {
        void engine.pullStaff().catch(() => undefined);
        return { kind: 'deactivated' };
      }

      // Offline (or an answer this version does not understand): the synced verifier decides.
      const verified = await verifyGuidePin(db, guide.id, pin);
      if (!verified) {
        const attemptsLeft = await recordFailure(db, guide.id, now());
        void engine.requestDrain().catch(() => undefined);
        const until = await lockedUntil(db, guide.id, now());
        return until ? { kind: 'locked', until } : { kind: 'wrong', attemptsLeft };
      }
      await recordSuccess(db, guide.id, now());
      void engine.requestDrain().catch(() => undefined);
      return { kind: 'ok', guide: { id: verified.id, name: verified.name, role: verified.role } };
    },
    [db, engine, now],
  );
}

/** Sign-in: a PIN check that, when it passes, starts the guide's session. */
export function usePinCheck() {
  const { db, now } = useServices();
  const signIn = useAppStore((s) => s.signIn);
  const verify = usePinVerification();
  const check = useCallback(
    async (guide: Guide, pin: string): Promise<PinResult> => {
      const result = await verify(guide, pin);
      if (result.kind === 'ok') signIn(result.guide, now());
      return result;
    },
    [verify, signIn, now],
  );
  const lockedFor = useCallback((guideId: string) => lockedUntil(db, guideId, now()), [db, now]);
  return { check, lockedFor };
}
