import { useCallback, useEffect, useState } from 'react';
import { useServices } from '../core/services';
import { useAppStore } from '../core/store';
import { newestOpenArrival, recentArrivals, type StoredAlert } from '../data/alerts';
import { beep } from './beep';
import {
  claimArrival,
  dismiss as dismissArrival,
  readDismissed,
  type ClaimOutcome,
} from './arrival-actions';

export type ArrivalsView =
  | { state: 'loading' }
  | { state: 'error'; message: string }
  | { state: 'ready'; arrivals: StoredAlert[]; now: Date };

const TICK_MS = 30_000;

/** Recent arrivals from the local DB, live: reloaded on every alert event and every 30 s. */
export function useArrivals(storage: Storage = localStorage) {
  const { db, engine, now } = useServices();
  const [view, setView] = useState<ArrivalsView>({ state: 'loading' });
  const [dismissed, setDismissed] = useState(() => readDismissed(storage));
  // Bumped after this terminal changes an alert itself (a claim), which the engine does not announce.
  const [version, setVersion] = useState(0);

  useEffect(() => {
    let live = true;
    const load = () => {
      const at = now();
      recentArrivals(db, at)
        .then((arrivals) => live && setView({ state: 'ready', arrivals, now: at }))
        .catch((error: unknown) => {
          if (live)
            setView({ state: 'error', message: error instanceof Error ? error.message : '' });
        });
    };
    load();
    const unsubscribe = engine.onAlert(load);
    const timer = setInterval(load, TICK_MS);
    return () => {
      live = false;
      unsubscribe();
      clearInterval(timer);
    };
  }, [db, engine, now, version]);

  const reload = useCallback(() => setVersion((v) => v + 1), []);
  const dismiss = useCallback(
    (alertId: string) => setDismissed(dismissArrival(storage, alertId)),
    [storage],
  );
  const visible: ArrivalsView =
    view.state === 'ready'
      ? { ...view, arrivals: view.arrivals.filter((a) => !dismissed.has(a.alertId)) }
      : view;
  return { view: visible, dismiss, reload };
}

/** Claim for the signed-in guide. */
export function useClaim() {
  const { db, engine, now } = useServices();
  const guide = useAppStore((s) => s.guide);
  return useCallback(
    async (alert: StoredAlert): Promise<ClaimOutcome> => {
      if (!guide) return { kind: 'failed', message: 'not signed in' };
      return claimArrival(db, engine, alert, guide, now());
    },
    [db, engine, guide, now],
  );
}

/** F4: claim the newest open arrival, wherever the guide is. */
export function useClaimNewest() {
  const { db, now } = useServices();
  const claim = useClaim();
  return useCallback(async (): Promise<ClaimOutcome | null> => {
    const alert = await newestOpenArrival(db, now());
    return alert ? claim(alert) : null;
  }, [db, now, claim]);
}

/**
 * A new arrival chimes and asks the platform for an OS notification (shown only when the window
 * is not focused; it carries the tier, never the name). Clicking it brings back the arrivals.
 */
export function useArrivalNotifications(sound: () => void = beep) {
  const { engine, bridge, now } = useServices();
  const navigate = useAppStore((s) => s.navigate);
  useEffect(() => {
    const unsubscribe = engine.onAlert(({ kind, alert }) => {
      if (kind !== 'new' || alert.status !== 'open') return;
      // Catch-up after a reconnect also delivers old alerts; only fresh ones ring.
      if (Date.parse(alert.expiresAt) <= now().getTime()) return;
      sound();
      void bridge.notifyAlert({ alertId: alert.alertId, tier: alert.card.tier });
    });
    const unfocus = bridge.onAlertFocus(() => navigate({ name: 'arrivals' }));
    return () => {
      unsubscribe();
      unfocus();
    };
  }, [engine, bridge, now, navigate, sound]);
}

/** How many arrivals wait for a guide right now (open, not expired): the badge on 到店. */
export function useOpenArrivalCount(): number {
  const { db, engine, now } = useServices();
  const [count, setCount] = useState(0);
  useEffect(() => {
    let live = true;
    const load = () =>
      void recentArrivals(db, now())
        .then((rows) => {
          const at = now().getTime();
          if (live)
            setCount(
              rows.filter((a) => a.status === 'open' && Date.parse(a.expiresAt) > at).length,
            );
        })
        .catch(() => undefined);
    load();
    const unsubscribe = engine.onAlert(load);
    const timer = setInterval(load, TICK_MS);
    return () => {
      live = false;
      unsubscribe();
      clearInterval(timer);
    };
  }, [db, engine, now]);
  return count;
}
