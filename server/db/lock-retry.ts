/** Told about each conflict that is retried (the route logs it: retries should stay rare). */
export type OnRetry = (error: unknown, attempt: number) => void;

/** PostgreSQL's "try again" answers: deadlock_detected and serialization_failure. */
const RETRYABLE = new Set(['40P01', '40001']);

/**
 * lock_not_available: a lock wait cut short by `lock_timeout`. Retried only where the caller says
 * so (`alsoRetry`): the orders path, whose `order_batch_tail` bounds its row-lock waits under the
 * change-feed lock (migration 028) instead of waiting for PostgreSQL's deadlock check.
 */
export const LOCK_NOT_AVAILABLE = '55P03';

const MAX_ATTEMPTS = 4;

/**
 * Runs a transaction again when PostgreSQL aborts it as a deadlock victim or on a
 * serialization failure, a bounded number of times. Safe because the aborted attempt wrote
 * nothing and the writers using it are idempotent on a second run (orders and returns by their
 * ids, a sighting by its visit window); the caller gets an answer instead of a 500 for a conflict
 * it did not cause. Observed on PostgreSQL under load: an order batch waiting for the change-feed
 * lock chosen as the victim while the lock holder waited on a customer row; a sighting's insert
 * (its triggers lock the member's store-scope row) under bench:chain.
 */
export async function retryOnLockConflict<T>(
  run: () => Promise<T>,
  onRetry?: OnRetry,
  alsoRetry: readonly string[] = [],
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      const retryable =
        typeof code === 'string' && (RETRYABLE.has(code) || alsoRetry.includes(code));
      if (attempt >= MAX_ATTEMPTS || !retryable) throw error;
      onRetry?.(error, attempt);
      // A short, jittered pause so the transactions that collided do not meet again at once.
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 20));
    }
  }
}
