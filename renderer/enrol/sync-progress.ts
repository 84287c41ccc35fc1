import type { SyncProgress } from '../sync/sync-status';

/** What the initial-sync screen shows: rows so far, of how many, and the time left. */
export type ProgressView = {
  done: number;
  total: number | null;
  /** 0–100, null while the total is unknown */
  percent: number | null;
  /** estimated from the rate since the first rows came in; null until there is a rate to go on */
  secondsLeft: number | null;
};

type Sample = { at: number; done: number };

/** Seconds of steady progress an estimate needs before it is shown. */
const ESTIMATE_AFTER_S = 2;

/**
 * Folds the engine's per-feed progress into one running count across feeds (customers, then the
 * catalog) and estimates the time left from the average rate since the first rows came in. Not
 * from the start: the first page waits for the hub (counting the feed, building the page) and
 * for the cache to open, and timed from there a 20 s sync of 200,000 profiles first said "4
 * minutes".
 */
export function createProgressTracker(now: () => number = () => Date.now()) {
  const finished = new Map<string, { done: number; total: number }>();
  let current: SyncProgress | null = null;
  let first: Sample | null = null;

  return {
    update(progress: SyncProgress | null): ProgressView {
      if (current && (!progress || progress.feed !== current.feed)) {
        finished.set(current.feed, {
          done: current.done,
          total: Math.max(current.total ?? current.done, current.done),
        });
      }
      current = progress;
      return this.view();
    },
    view(): ProgressView {
      let done = 0;
      let total = 0;
      let known = true;
      for (const f of finished.values()) {
        done += f.done;
        total += f.total;
      }
      if (current && !finished.has(current.feed)) {
        done += current.done;
        if (current.total === null) known = false;
        else total += current.total;
      }
      // The rate is measured from the first view with rows in (the first page has landed).
      if (!first && done > 0) first = { at: now(), done };
      const percent = known && total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : null;
      let secondsLeft: number | null = null;
      if (first && known && total > 0) {
        const elapsed = (now() - first.at) / 1000;
        const rate = elapsed >= ESTIMATE_AFTER_S ? (done - first.done) / elapsed : 0;
        if (rate > 0) secondsLeft = Math.max(0, Math.ceil((total - done) / rate));
      }
      return { done, total: known ? total : null, percent, secondsLeft };
    },
  };
}
