import type { FastifyBaseLogger } from 'fastify';

/**
 * Runs `sweep` every `everyMs` (and once at once when `runAtStart`), never two at a time: a slow
 * sweep must not overlap the next tick. Timers are unref'd so they never hold the process open;
 * a failure is logged (unless stopped meanwhile) and the next tick tries again. Returns stop.
 */
export function startPeriodicSweep(options: {
  what: string;
  everyMs: number;
  runAtStart?: boolean;
  log: FastifyBaseLogger;
  sweep: () => Promise<void>;
}): () => void {
  let running = false;
  let stopped = false;
  const run = async () => {
    if (running || stopped) return;
    running = true;
    try {
      await options.sweep();
    } catch (error) {
      if (!stopped) options.log.error({ err: error }, `${options.what} failed`);
    } finally {
      running = false;
    }
  };
  const first = options.runAtStart ? setTimeout(() => void run(), 0) : null;
  first?.unref();
  const timer = setInterval(() => void run(), options.everyMs);
  timer.unref();
  return () => {
    stopped = true;
    if (first) clearTimeout(first);
    clearInterval(timer);
  };
}
