import { useCallback, useEffect, useState } from 'react';
import { useServices, type AppServices } from '../core/services';
import { useAppStore } from '../core/store';
import { newestOpenArrival, recentArrivals, withArrival, type StoredAlert } from '../data/alerts';
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

/** The fallback re-read (and what moves "expired" on with the clock). */
const TICK_MS = 30_000;

type ArrivalsObserver = {
  ready: (arrivals: StoredAlert[], at: Date) => void;
  failed: (error: unknown) => void;
};

/**
 * Recent arrivals, live: read once, then each alert the engine announces (stored before it is
 * announced) is folded in from the event itself (`withArrival`); a re-read every 30 s is only the
 * fallback. Events announced while a read runs are folded into its answer too, since the read may
 * have started before they were stored. Returns the unsubscribe.
 */
function observeArrivals(
  { db, engine, now }: Pick<AppServices, 'db' | 'engine' | 'now'>,
  observer: ArrivalsObserver,
): () => void {
  let live = true;
  let rows: StoredAlert[] | null = null;
  let reading = 0;
  let announcedWhileReading: StoredAlert[] = [];
  const show = (arrivals: StoredAlert[], at: Date) => {
    rows = arrivals;
    observer.ready(arrivals, at);
  };
  const load = () => {
    const at = now();
    reading += 1;
    recentArrivals(db, at)
      .then((arrivals) => {
        reading -= 1;
        if (!live) return;
        const folded = announcedWhileReading.reduce(
          (list, a) => withArrival(list, a, at),
          arrivals,
        );
        if (reading === 0) announcedWhileReading = [];
        show(folded, at);
      })
      .catch((error: unknown) => {
        reading -= 1;
        if (!live) return;
        rows = null;
        observer.failed(error);
      });
  };
  load();
  const unsubscribe = engine.onAlert(({ alert }) => {
    if (reading > 0) announcedWhileReading.push(alert);
    if (rows) {
      const at = now();
      show(withArrival(rows, alert, at), at);
    } else if (reading === 0) load(); // the last read failed: read it all again
  });
  const timer = setInterval(load, TICK_MS);
  return () => {
    live = false;
    unsubscribe();
    clearInterval(timer);
  };
}

/** Recent arrivals from the local DB, live (see `observeArrivals`). */
export function useArrivals(storage: Storage = localStorage) {
  const { db, engine, now } = useServices();
  const [view, setView] = useState<ArrivalsView>({ state: 'loading' });
  const [dismissed, setDismissed] = useState(() => readDismissed(storage));
  // Bumped after this terminal changes an alert itself (a claim), which the engine does not announce.
  const [version, setVersion] = useState(0);

  useEffect(
    () =>
      observeArrivals(
        { db, engine, now },
        {
          ready: (arrivals, at) => setView({ state: 'ready', arrivals, now: at }),
          failed: (error) =>
            setView({ state: 'error', message: error instanceof Error ? error.message : '' }),
        },
      ),
    [db, engine, now, version],
  );

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
  useEffect(
    () =>
      observeArrivals(
        { db, engine, now },
        {
          ready: (rows) => {
            const at = now().getTime();
            setCount(
              rows.filter((a) => a.status === 'open' && Date.parse(a.expiresAt) > at).length,
            );
          },
          failed: () => undefined,
        },
      ),
    [db, engine, now],
  );
  return count;
}
