import {
  alertUpdate,
  changedPayload,
  liveArrivalAlert,
  resyncPayload,
  type ClaimAck,
} from '../../shared/protocol';
import { err, type Result } from '../../shared/result';
import { applyAlertUpdate, storeAlert, type AlertWrite } from '../data/alerts';
import { cacheArrivalProfile, erasedInThisWindow } from '../data/customers';
import type { StoredAlert } from '../data/database';
import { recordAlertCatchUp } from '../data/feeds';
import type { EngineRuntime } from './engine-runtime';
import type { FeedPull } from './feed-pull';
import type { HubError, LiveConnection } from './hub-client';

export type AlertListener = (event: { kind: 'new' | 'updated'; alert: StoredAlert }) => void;

/** A resync's spread is capped here: the catch-up it triggers should still come soon. */
const MAX_RESYNC_SPREAD_MS = 10_000;
/** Catch-ups for updates of alerts this terminal does not hold are at least this far apart. */
const MISSING_CATCH_UP_SPACING_MS = 10_000;

/** What the live channel asks of the rest of the engine. */
export type LiveDeps = {
  pull: FeedPull;
  syncNow: () => Promise<void>;
  revoke: () => Promise<void>;
  /** a number in [0, 1) that places this terminal's catch-up in a resync's spread window */
  random: () => number;
};

/**
 * The live channel: alerts stored before anyone is told (in arrival order, one at a time), feed
 * changes turned into pulls, and the catch-up after a reconnect or a hub resync.
 */
export class LiveEvents {
  private live: LiveConnection | null = null;
  private readonly listeners = new Set<AlertListener>();
  private queue: Promise<void> = Promise.resolve();
  private catchUpRun: Promise<void> | null = null;
  private resyncTimer: ReturnType<typeof setTimeout> | null = null;
  /** whether the pending resync also asks for alerts (any resync of the burst that wants them) */
  private resyncAlerts = false;
  /** a catch-up for an update of an alert this terminal does not hold, waiting for its turn */
  private missingTimer: ReturnType<typeof setTimeout> | null = null;
  private lastMissingCatchUp = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly rt: EngineRuntime,
    private readonly deps: LiveDeps,
  ) {}

  connect(): void {
    const { rt, deps } = this;
    this.live = rt.hub.connectLive({
      connected: () => {
        rt.status.update({ online: true });
        // Anything missed while away: alerts first (a customer may be in the store now).
        this.catchUp();
      },
      disconnected: () => rt.status.update({ online: false }),
      alertNew: (payload) => this.enqueue(() => this.receiveAlert(payload)),
      alertUpdated: (payload) => this.enqueue(() => this.receiveAlertUpdate(payload)),
      customersChanged: (payload) => {
        if (changedPayload.safeParse(payload).success)
          void rt.runSafely(() => deps.pull.pullFeed('customers'));
      },
      catalogChanged: (payload) => {
        if (changedPayload.safeParse(payload).success)
          void rt.runSafely(() => deps.pull.pullFeed('catalog'));
      },
      staffChanged: () => void rt.runSafely(() => deps.pull.pullStaff()),
      followUpsChanged: (payload) => {
        if (changedPayload.safeParse(payload).success)
          void rt.runSafely(() => deps.pull.pullFollowUps());
      },
      resync: (payload) => this.scheduleResync(payload),
      revoked: () => void deps.revoke(),
    });
  }

  /** Closes the channel and drops a pending resync. */
  close(): void {
    if (this.resyncTimer) clearTimeout(this.resyncTimer);
    this.resyncTimer = null;
    if (this.missingTimer) clearTimeout(this.missingTimer);
    this.missingTimer = null;
    this.live?.close();
    this.live = null;
  }

  /** Resolves when queued live events are stored and announced and a catch-up run has ended. */
  async settled(): Promise<void> {
    await this.queue;
    if (this.catchUpRun) await this.catchUpRun;
  }

  onAlert(listener: AlertListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async claim(alertId: string, guideId: string): Promise<Result<ClaimAck, HubError>> {
    if (!this.live) return err({ code: 'network', message: 'offline' });
    return this.live.claimAlert({ alertId, guideId });
  }

  /** Catch-up after (re)connecting: alerts raised while away, stored and announced once. */
  catchUpAlerts(): Promise<void> {
    const { rt } = this;
    return rt.runSafely(() =>
      rt.coalesce('alerts', async () => {
        const { now, alertCatchUpMinutes } = rt.settings;
        const since = new Date(now().getTime() - alertCatchUpMinutes * 60_000);
        const alerts = rt.unwrap(await rt.hub.alertsSince(since.toISOString()));
        for (const alert of alerts) await this.enqueue(() => this.receiveAlert(alert));
        await recordAlertCatchUp(rt.db, alerts, now().toISOString());
      }),
    );
  }

  /**
   * `sync:resync`: the hub's nodes lost their shared link for a while (or one of them died), so
   * live events raised on another node never reached this socket although it stayed connected.
   * Runs the same catch-up as a reconnect, after a random share of the hub's spread window — the
   * feeds only when the hub says it has re-sent the alerts itself (`alerts: false`, after a
   * `peer_lost`). Resyncs arriving while one is pending (every node sends one) join it; the
   * joined run asks for alerts if any of them does.
   */
  private scheduleResync(payload: unknown): void {
    if (!this.rt.running || this.rt.revoked) return;
    // A payload this version does not understand still means "you may have missed something".
    const parsed = resyncPayload.safeParse(payload);
    const alerts = !(parsed.success && parsed.data.alerts === false);
    if (this.resyncTimer) {
      this.resyncAlerts ||= alerts;
      return;
    }
    this.resyncAlerts = alerts;
    const spread = parsed.success ? Math.min(parsed.data.spreadMs, MAX_RESYNC_SPREAD_MS) : 0;
    this.resyncTimer = setTimeout(
      () => {
        this.resyncTimer = null;
        this.catchUp({ alerts: this.resyncAlerts });
      },
      Math.floor(this.deps.random() * spread),
    );
  }

  /**
   * Alerts first (unless the hub re-sent them itself), then every feed; tracked so settled()
   * covers the gap between the two.
   */
  private catchUp({ alerts }: { alerts: boolean } = { alerts: true }): void {
    const run = (alerts ? this.catchUpAlerts() : Promise.resolve())
      .then(() => this.deps.syncNow())
      .catch((error: unknown) => this.rt.recordError(error));
    this.catchUpRun = run;
    void run.finally(() => {
      if (this.catchUpRun === run) this.catchUpRun = null;
    });
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.queue.then(task).catch((error: unknown) => this.rt.recordError(error));
    this.queue = next;
    return next;
  }

  /**
   * Stores and announces an alert, then caches the profile it carried (issue #17), never the other
   * way round: the guide sees her card first. An alert for a member whose erasure this window
   * applied meanwhile is dropped (its card would show her again).
   */
  private async receiveAlert(payload: unknown): Promise<void> {
    const parsed = liveArrivalAlert.safeParse(payload);
    if (!parsed.success || this.rt.revoked) return;
    const { profile, ...alert } = parsed.data;
    const { db } = this.rt;
    if (erasedInThisWindow(db, alert.card.customerId)) return;
    this.announce(await storeAlert(db, alert, this.rt.settings.now()));
    if (profile && profile.id === alert.card.customerId && !this.rt.revoked)
      await cacheArrivalProfile(db, profile);
  }

  /**
   * An update for an alert this terminal never received — its arrival was emitted by a hub node
   * that died before publishing it, or is still on its way in a survivor's re-send — means an
   * arrival is missing here: catch up on alerts now rather than at the next reconnect (after a
   * `peer_lost` the hub told this terminal not to ask). At most one such catch-up a
   * `MISSING_CATCH_UP_SPACING_MS` (an alert older than the catch-up's reach stays missing).
   */
  private async receiveAlertUpdate(payload: unknown): Promise<void> {
    const parsed = alertUpdate.safeParse(payload);
    if (!parsed.success || this.rt.revoked) return;
    const write = await applyAlertUpdate(this.rt.db, parsed.data);
    if (write.kind === 'missing') this.catchUpOnMissing();
    else this.announce(write);
  }

  private catchUpOnMissing(): void {
    if (this.missingTimer || !this.rt.running || this.rt.revoked) return;
    const wait = Math.max(0, this.lastMissingCatchUp + MISSING_CATCH_UP_SPACING_MS - Date.now());
    this.missingTimer = setTimeout(() => {
      this.missingTimer = null;
      this.lastMissingCatchUp = Date.now();
      void this.catchUpAlerts();
    }, wait);
  }

  private announce(write: AlertWrite): void {
    if (write.kind === 'unchanged' || write.kind === 'missing') return;
    for (const listener of this.listeners) listener({ kind: write.kind, alert: write.alert });
  }
}
