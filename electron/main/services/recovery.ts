/**
 * When the renderer crashes or hangs it is reloaded: every write is in IndexedDB before anything
 * else happens, so a reload loses nothing in progress. A renderer that keeps crashing must not
 * spin forever, though — after a few reloads in a short time it stops and shows the error page.
 */
export type RecoveryDecision = 'reload' | 'give-up' | 'ignore';

export type CrashPolicy = {
  /** a renderer process died (`render-process-gone`) */
  onGone(reason: string, now: number): RecoveryDecision;
  /** the page stopped responding; decide after it stayed so for `hangGraceMs` */
  onUnresponsive(hungSinceMs: number, now: number): RecoveryDecision;
};

export function createCrashPolicy(options: {
  maxReloads: number;
  windowMs: number;
  hangGraceMs: number;
}): CrashPolicy {
  const reloads: number[] = [];
  const budget = (now: number): RecoveryDecision => {
    while (reloads.length > 0 && now - reloads[0]! > options.windowMs) reloads.shift();
    if (reloads.length >= options.maxReloads) return 'give-up';
    reloads.push(now);
    return 'reload';
  };
  return {
    onGone(reason, now) {
      // A clean exit is us closing the window, not a crash.
      if (reason === 'clean-exit') return 'ignore';
      return budget(now);
    },
    onUnresponsive(hungSinceMs, now) {
      if (now - hungSinceMs < options.hangGraceMs) return 'ignore';
      return budget(now);
    },
  };
}
