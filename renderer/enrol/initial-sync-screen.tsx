import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { hasSynced } from '../data/sync-state';
import { useServices } from '../core/services';
import { createProgressTracker, type ProgressView } from './sync-progress';
import './enrol.css';

/**
 * The first sync after enrolment, with a real progress bar: rows so far, percentage and time
 * left from the rate so far. Calls `onDone` once every feed is in; a failure can be retried.
 */
export function InitialSyncScreen({ onDone }: { onDone(): void }) {
  const { t } = useTranslation('enrol');
  const { engine, db } = useServices();
  const [view, setView] = useState<ProgressView>({
    done: 0,
    total: null,
    percent: null,
    secondsLeft: null,
  });
  const [failure, setFailure] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const tracker = createProgressTracker();
    let live = true;
    const unsubscribe = engine.subscribe((status) => {
      if (live) setView(tracker.update(status.progress));
    });
    // start() is a no-op when the engine already runs (a second mount), so follow it with a sync
    // that joins the one in flight; done means the feeds really completed, not that a call returned.
    void engine
      .start()
      .then(() => engine.syncNow())
      .then(() => hasSynced(db))
      .then((synced) => {
        if (!live) return;
        const status = engine.status.get();
        if (status.revoked) return;
        if (synced && status.lastError === null) onDone();
        else setFailure(status.lastError ?? '—');
      });
    return () => {
      live = false;
      unsubscribe();
    };
  }, [engine, db, attempt, onDone]);

  const time =
    view.secondsLeft === null
      ? null
      : view.secondsLeft >= 90
        ? t('minutes', { count: Math.ceil(view.secondsLeft / 60) })
        : t('seconds', { count: view.secondsLeft });

  return (
    <main className="enrol" aria-labelledby="sync-title">
      <h1 id="sync-title">{t('syncTitle')}</h1>
      <p>{t('syncIntro')}</p>
      <progress
        className="enrol-progress"
        aria-label={t('syncTitle')}
        max={100}
        {...(view.percent === null ? {} : { value: view.percent })}
      />
      <p role="status" aria-live="polite" className="enrol-progress-text">
        <span>
          {view.total === null
            ? t('rowsUnknown', { done: view.done })
            : t('rows', { done: view.done, total: view.total })}
        </span>
        {view.percent !== null && <strong> {view.percent}%</strong>}
        <span> · {time === null ? t('estimating') : t('timeLeft', { time })}</span>
      </p>
      {failure !== null && (
        <div role="alert" className="enrol-error">
          {t('errors.sync', { message: failure })}
          <button
            type="button"
            onClick={() => {
              setFailure(null);
              setAttempt((n) => n + 1);
            }}
          >
            {t('retry')}
          </button>
        </div>
      )}
    </main>
  );
}
