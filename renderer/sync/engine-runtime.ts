import { TrailingRuns } from '../../shared/trailing-run';
import type { HubError, HubClient, HubResult } from './hub-client';
import { backoffDelay, type BackoffOptions } from './backoff';
import type { DrainLock } from './drain-lock';
import type { TerminalDb } from '../data/database';
import type { Retention } from '../data/retention';
import { recordSyncError } from '../data/sync-state';
import { createStatusStore, type StatusStore } from './sync-status';

/** The engine's tuning, defaults filled in (sync-engine.ts). */
export type EngineSettings = {
  pageSize: number;
  drainBatch: number;
  alertCatchUpMinutes: number;
  retry: BackoffOptions;
  lock: DrainLock;
  now: () => Date;
  autoRetry: boolean;
  retention: Retention;
};

/** What the runtime asks of the facade: wipe on revocation, run a full sync on retry. */
export type RuntimeHooks = { revoke: () => Promise<void>; retry: () => Promise<void> };

export class Revoked extends Error {}
export class HubFailure extends Error {
  constructor(readonly error: HubError) {
    super(`${error.code}: ${error.message}`);
  }
}

export const MAX_PAGE_ROUNDS = 100_000;

/**
 * What every part of the engine shares: the database, the hub, the status store, whether the
 * engine runs or was revoked, and how a step runs — one at a time per key (coalesced: a call during
 * a run gets the next one), hub errors unwrapped into throws, failures into status and a backoff
 * retry.
 */
export class EngineRuntime {
  readonly status: StatusStore = createStatusStore();
  running = false;
  revoked = false;
  /** a revoked terminal starts no queued run (shared/trailing-run.ts) */
  private readonly runs = new TrailingRuns({ stopped: () => this.revoked });
  /** runSafely calls in progress: `syncing` ends when none is and no run is in flight */
  private safeRuns = 0;
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly db: TerminalDb,
    readonly hub: HubClient,
    readonly settings: EngineSettings,
    private readonly hooks: RuntimeHooks,
  ) {}

  unwrap<T>(result: HubResult<T>): T {
    if (result.ok) return result.value;
    if (result.error.code === 'unauthorized') throw new Revoked(result.error.message);
    throw new HubFailure(result.error);
  }

  assertActive(): void {
    if (this.revoked) throw new Revoked('terminal revoked');
  }

  /**
   * One run at a time per key: a call while one runs is answered by the next run, shared by every
   * call meanwhile (shared/trailing-run.ts) — never by the run it joined, so a run that fails
   * fails only the callers it answers.
   */
  coalesce(key: string, task: () => Promise<void>): Promise<void> {
    const run = this.runs.run(key, task);
    // The run may answer only a direct caller (a search's pull), the runSafely that started the
    // one before it having ended already: whoever ends last ends `syncing`.
    const ended = () => this.endSyncingIfIdle();
    run.then(ended, ended);
    return run;
  }

  /** Resolves when the runs in flight now, and those queued behind them, have ended (never rejects). */
  runsSettled(): Promise<void> {
    return this.runs.settled();
  }

  /** Runs a sync step; errors become status (and a backoff retry), revocation wipes. */
  async runSafely(task: () => Promise<void>): Promise<void> {
    if (this.revoked) return;
    this.safeRuns += 1;
    try {
      await task();
      this.failures = 0;
      this.status.update({ lastSuccessAt: this.settings.now().toISOString(), lastError: null });
    } catch (error) {
      if (error instanceof Revoked) return this.hooks.revoke();
      // Work cut short by a revocation (database closed under it) is not an error to report.
      if (this.revoked) return;
      this.recordError(error);
      this.scheduleRetry();
    } finally {
      this.safeRuns -= 1;
      this.endSyncingIfIdle();
    }
  }

  private endSyncingIfIdle(): void {
    if (this.runs.size === 0 && this.safeRuns === 0) this.status.update({ syncing: false });
  }

  recordError(error: unknown): void {
    if (error instanceof Revoked) {
      void this.hooks.revoke();
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    this.status.update({ lastError: message });
    this.noteFeedError(message).catch(() => undefined);
  }

  private async noteFeedError(message: string): Promise<void> {
    if (this.revoked) return;
    for (const feed of ['customers', 'catalog', 'staff'] as const)
      await recordSyncError(this.db, feed, message);
  }

  private scheduleRetry(): void {
    if (!this.running || !this.settings.autoRetry || this.retryTimer || this.revoked) return;
    const delay = backoffDelay(this.failures, this.settings.retry);
    this.failures += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.hooks.retry();
    }, delay);
  }

  cancelRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }
}
