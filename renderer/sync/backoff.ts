/**
 * Exponential backoff with full jitter: after failure n the wait is uniform in
 * [0, min(max, base·2ⁿ)], so a store's terminals coming back together do not hit the hub in step.
 */
export type BackoffOptions = { baseMs: number; maxMs: number; random?: () => number };

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 60_000 };

export function backoffDelay(failures: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const random = options.random ?? Math.random;
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(failures, 30));
  return Math.floor(random() * ceiling);
}
