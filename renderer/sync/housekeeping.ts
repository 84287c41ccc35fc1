import type { TerminalStatusReport } from '../../shared/protocol';
import { markAuditSynced, unsyncedAuditBatch } from '../data/audit';
import { wipeTerminalDb } from '../data/database';
import { outboxSummary } from '../data/outbox';
import { pruneLocal } from '../data/retention';
import type { SecretStore } from '../data/secret-store';
import { APP_VERSION } from '../platform/app-version';
import { MAX_PAGE_ROUNDS, type EngineRuntime } from './engine-runtime';

/** Housekeeping runs after a drain at most this often (and after the first drain of a run). */
const PRUNE_EVERY_MS = 3_600_000;
/** An unchanged status is reported again after a drain at most this often. */
const STATUS_EVERY_MS = 300_000;

/**
 * What follows a drain — profile views to head office, retention, the terminal's status for IT —
 * and the wipe after a revocation.
 */
export class Housekeeping {
  private lastPruneAt: number | null = null;
  private lastStatus: { report: string; at: number } | null = null;

  constructor(
    private readonly rt: EngineRuntime,
    private readonly secrets: SecretStore,
    /** the build this terminal runs (default: the renderer's) */
    private readonly appVersion: string = APP_VERSION,
  ) {}

  /** Runs under the drain lock, after the outbox went out (orders matter more at the counter). */
  async afterDrain(): Promise<void> {
    await this.sendAudit();
    await this.pruneWhenDue();
    await this.reportStatusWhenDue();
  }

  /**
   * The hub no longer knows this terminal: wipe the local database and the secrets, and show it.
   */
  async wipeRevoked(): Promise<void> {
    await wipeTerminalDb(this.rt.db);
    await this.secrets.clear();
    this.rt.status.update({
      revoked: true,
      syncing: false,
      pendingCount: 0,
      oldestPendingAt: null,
      rejectedCount: 0,
      setAsideCount: 0,
      progress: null,
      lastError: 'terminal revoked',
    });
  }

  /** Profile views go to head office after the outbox. */
  private async sendAudit(): Promise<void> {
    const { rt } = this;
    for (let round = 0; round < MAX_PAGE_ROUNDS; round++) {
      rt.assertActive();
      const entries = await unsyncedAuditBatch(rt.db, rt.settings.drainBatch);
      if (entries.length === 0) return;
      const response = await rt.hub.postAudit(entries);
      rt.assertActive();
      // A whole-call refusal (400) can only be a malformed entry; resending it would loop forever.
      const answered =
        !response.ok && response.error.code === 'rejected'
          ? entries.map((e) => e.id)
          : rt.unwrap(response).map((r) => r.id);
      await markAuditSynced(rt.db, answered);
      if (entries.length < rt.settings.drainBatch) return;
    }
  }

  /**
   * After a drain, at most hourly: what the hub already has and is past its retention leaves the
   * terminal (data/retention.ts). Under the drain lock, so it never races another window's drain.
   */
  private async pruneWhenDue(): Promise<void> {
    const now = this.rt.settings.now();
    if (this.lastPruneAt !== null && now.getTime() - this.lastPruneAt < PRUNE_EVERY_MS) return;
    this.lastPruneAt = now.getTime();
    await pruneLocal(this.rt.db, now, this.rt.settings.retention);
  }

  /**
   * After a drain that reached the hub: this build and what the outbox still holds, for IT's
   * terminal list — when it changed, else at most every STATUS_EVERY_MS. A terminal whose drains
   * fail reports nothing new, which IT reads as "seen, but not delivering" (status older than
   * last seen).
   */
  private async reportStatusWhenDue(): Promise<void> {
    const { rt } = this;
    const summary = await outboxSummary(rt.db);
    const report: TerminalStatusReport = {
      appVersion: this.appVersion,
      pendingOutbox: summary.pendingCount,
      rejectedOutbox: summary.rejectedCount,
    };
    const key = JSON.stringify(report);
    const now = rt.settings.now().getTime();
    if (this.lastStatus?.report === key && now - this.lastStatus.at < STATUS_EVERY_MS) return;
    // Best effort: a hub that cannot take it (an older hub without the route, a hiccup) must not
    // fail the drain that delivered the orders; the next drain tries again.
    if ((await rt.hub.reportStatus(report)).ok) this.lastStatus = { report: key, at: now };
  }
}
