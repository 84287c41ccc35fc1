import {
  alertUpdate,
  arrivalAlert,
  changedPayload,
  resyncPayload,
  type ClaimAck,
  type CustomerFeedItem,
  type Order,
  type ProductItem,
} from '../../shared/protocol';
import { err, type Result } from '../../shared/result';
import { applyAlertUpdate, storeAlert, type AlertWrite } from '../data/alerts';
import { markSetAsideReported, setAsideCount, unreportedSetAside } from '../data/feed-rejects';
import {
  applyFeedPage,
  applyStaffFeed,
  loadCustomerIndex,
  prepareFeedPage,
  recordAlertCatchUp,
  type CatalogPage,
  type CustomerPage,
} from '../data/feeds';
import { putCanonicalCustomer } from '../data/customers';
import { wipeTerminalDb, type StoredAlert, type TerminalDb } from '../data/database';
import {
  allStillPending,
  outboxSummary,
  pendingEntries,
  pendingOrdersAmong,
  recordResults,
  type OutboxRegistration,
} from '../data/outbox';
import { markAuditSynced, unsyncedAuditBatch } from '../data/audit';
import { decryptPhone } from '../data/phone-cipher';
import { DEFAULT_RETENTION, pruneLocal, type Retention } from '../data/retention';
import type { SecretStore } from '../data/secret-store';
import { readSyncState, recordSyncError } from '../data/sync-state';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { defaultDrainLock, type DrainLock } from './drain-lock';
import {
  MAX_REJECTS_PER_CALL,
  type PinChangeRequest,
  type SignInResponse,
  type TerminalStatusReport,
} from '../../shared/protocol';
import { APP_VERSION } from '../platform/app-version';
import type { FeedPage, HubClient, HubError, HubResult, LiveConnection } from './hub-client';
import { createStatusStore, type StatusStore, type SyncStatus } from './sync-status';

export type SyncEngineOptions = {
  db: TerminalDb;
  hub: HubClient;
  secrets: SecretStore;
  /** rows per feed page (the hub allows up to 5000) */
  pageSize?: number;
  /** orders per POST (the hub allows up to 500) */
  drainBatch?: number;
  /** how far back the reconnect catch-up asks for alerts (alerts expire after 30 min) */
  alertCatchUpMinutes?: number;
  retry?: BackoffOptions;
  lock?: DrainLock;
  now?: () => Date;
  /** retry failed steps on a backoff timer (default true; property tests drive retries themselves) */
  autoRetry?: boolean;
  /** how long what the hub already has is kept here (data/retention.ts) */
  retention?: Retention;
  /** called once after a revocation wiped the database (return to enrolment) */
  onRevoked?: () => void;
  /** a number in [0, 1) that places this terminal's catch-up in a resync's spread window */
  random?: () => number;
  /** the build this terminal runs, reported to IT with the outbox size (default: the renderer's) */
  appVersion?: string;
};

export type AlertListener = (event: { kind: 'new' | 'updated'; alert: StoredAlert }) => void;

type PagedFeed = 'customers' | 'catalog';
class Revoked extends Error {}
class HubFailure extends Error {
  constructor(readonly error: HubError) {
    super(`${error.code}: ${error.message}`);
  }
}

const MAX_PAGE_ROUNDS = 100_000;
/** A resync's spread is capped here: the catch-up it triggers should still come soon. */
const MAX_RESYNC_SPREAD_MS = 10_000;
/** Housekeeping runs after a drain at most this often (and after the first drain of a run). */
const PRUNE_EVERY_MS = 3_600_000;
/** An unchanged status is reported again after a drain at most this often. */
const STATUS_EVERY_MS = 300_000;

/**
 * Rows per feed page. 1,000 measured as fast as the hub's maximum of 5,000 for a 200,000-profile
 * initial sync (19.5 s against 21.3 s cold, bench:terminal) and keeps each transaction short.
 */
export const DEFAULT_PAGE_SIZE = 1000;

/**
 * Moves data between the terminal's IndexedDB and the hub, exactly once in both directions:
 * pulls feeds page by page (rows and cursor in one transaction), stores live alerts before telling
 * anyone, and drains the outbox with the terminal-generated ids the hub deduplicates on.
 */
export class SyncEngine {
  readonly status: StatusStore = createStatusStore();
  private readonly db: TerminalDb;
  private readonly hub: HubClient;
  private readonly opts: Required<
    Omit<SyncEngineOptions, 'onRevoked' | 'db' | 'hub' | 'secrets' | 'random' | 'appVersion'>
  >;
  private readonly random: () => number;
  private resyncTimer: ReturnType<typeof setTimeout> | null = null;
  private catchUpRun: Promise<void> | null = null;
  private live: LiveConnection | null = null;
  private running = false;
  private revoked = false;
  private readonly alertListeners = new Set<AlertListener>();
  private liveQueue: Promise<void> = Promise.resolve();
  private readonly flights = new Map<string, { promise: Promise<void>; again: boolean }>();
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private lastPruneAt: number | null = null;
  private lastStatus: { report: string; at: number } | null = null;

  constructor(private readonly options: SyncEngineOptions) {
    this.db = options.db;
    this.hub = options.hub;
    this.opts = {
      pageSize: options.pageSize ?? DEFAULT_PAGE_SIZE,
      drainBatch: Math.min(options.drainBatch ?? 500, 500),
      alertCatchUpMinutes: options.alertCatchUpMinutes ?? 35,
      retry: options.retry ?? DEFAULT_BACKOFF,
      lock: options.lock ?? defaultDrainLock(),
      now: options.now ?? (() => new Date()),
      autoRetry: options.autoRetry ?? true,
      retention: options.retention ?? DEFAULT_RETENTION,
    };
    this.random = options.random ?? Math.random;
  }

  /** Connects the live channel and runs a full sync; failures retry with backoff. */
  async start(): Promise<void> {
    if (this.running || this.revoked) return;
    this.running = true;
    await this.refreshOutboxStatus();
    await this.refreshSetAside();
    this.live = this.hub.connectLive({
      connected: () => {
        this.status.update({ online: true });
        // Anything missed while away: alerts first (a customer may be in the store now).
        this.catchUp();
      },
      disconnected: () => this.status.update({ online: false }),
      alertNew: (payload) => this.enqueueLive(() => this.receiveAlert(payload)),
      alertUpdated: (payload) => this.enqueueLive(() => this.receiveAlertUpdate(payload)),
      customersChanged: (payload) => {
        if (changedPayload.safeParse(payload).success)
          void this.runSafely(() => this.pullFeed('customers'));
      },
      catalogChanged: (payload) => {
        if (changedPayload.safeParse(payload).success)
          void this.runSafely(() => this.pullFeed('catalog'));
      },
      staffChanged: () => void this.runSafely(() => this.pullStaff()),
      resync: (payload) => this.scheduleResync(payload),
      revoked: () => void this.revoke(),
    });
    await this.syncNow();
  }

  /** Stops timers and the live channel; the database stays (use after logout, in tests). */
  stop(): void {
    this.running = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.resyncTimer) clearTimeout(this.resyncTimer);
    this.resyncTimer = null;
    this.live?.close();
    this.live = null;
    this.status.update({ online: false });
  }

  /**
   * Resolves when queued live events have been stored and announced and the runs in flight have
   * ended. Never rejects: a failed run is already in the status (and its caller's result).
   */
  async settled(): Promise<void> {
    await this.liveQueue;
    if (this.catchUpRun) await this.catchUpRun;
    await Promise.allSettled([...this.flights.values()].map((f) => f.promise));
  }

  onAlert(listener: AlertListener): () => void {
    this.alertListeners.add(listener);
    return () => this.alertListeners.delete(listener);
  }

  subscribe(listener: (status: SyncStatus) => void): () => void {
    return this.status.subscribe(listener);
  }

  /** Pull every feed, then drain the outbox. Errors go to status; a retry is scheduled. */
  async syncNow(): Promise<void> {
    await this.runSafely(async () => {
      await this.pullFeed('customers');
      await this.pullFeed('catalog');
      await this.pullStaff();
      await this.drain();
    });
  }

  /** Call after writing to the outbox so the order goes out as soon as the hub is reachable. */
  requestDrain(): Promise<void> {
    return this.runSafely(() => this.drain());
  }

  /** Online sign-in at the hub (renderer/session/use-sign-in.ts falls back offline). */
  signInOnline(guideId: string, pin: string): Promise<HubResult<SignInResponse>> {
    return this.hub.signIn(guideId, pin);
  }

  /** A guide's PIN change at the hub; the new verifier reaches this terminal with a staff pull. */
  async changePin(request: PinChangeRequest): Promise<HubResult<{ ok: true }>> {
    const result = await this.hub.changePin(request);
    if (result.ok) await this.pullStaff().catch(() => undefined);
    return result;
  }

  async claimAlert(alertId: string, guideId: string): Promise<Result<ClaimAck, HubError>> {
    if (!this.live) return err({ code: 'network', message: 'offline' });
    return this.live.claimAlert({ alertId, guideId });
  }

  // ---- pull -------------------------------------------------------------------------------

  /** Pulls one paged feed to its end. Concurrent calls share one run (and one more after it). */
  pullFeed(feed: PagedFeed): Promise<void> {
    return this.singleFlight(`pull:${feed}`, () => this.pullPages(feed));
  }

  private async pullPages(feed: PagedFeed): Promise<void> {
    let done = 0;
    let total: number | null = null;
    this.status.update({ syncing: true, progress: { feed, done, total } });
    // Only the first page of a run asks for `total`: counting the rest of the feed is a range
    // scan on the hub, and later pages only need the running `done`.
    const fetchPage = (
      after: string,
      withTotal: boolean,
    ): Promise<HubResult<FeedPage<CustomerFeedItem> | FeedPage<ProductItem>>> =>
      feed === 'customers'
        ? this.hub.pullCustomers(after, this.opts.pageSize, withTotal)
        : this.hub.pullCatalog(after, this.opts.pageSize, withTotal);
    try {
      let after = (await readSyncState(this.db, feed)).cursor;
      let pending = fetchPage(after, true);
      // Load the customer index while the first page is on its way, a slice at a time: first
      // needed inside the page's transaction, it would be built there in one piece.
      if (feed === 'customers') await loadCustomerIndex(this.db);
      for (let round = 0; round < MAX_PAGE_ROUNDS; round++) {
        this.assertActive();
        const page = this.unwrap(await pending);
        this.assertActive();
        // Fetch the next page while this one is written: the hub and IndexedDB work in parallel.
        // If this page is not applied, the prefetched answer is simply dropped.
        const prefetch = page.hasMore ? fetchPage(page.cursor, false) : null;
        // `total` is the rows from the cursor asked for to the feed's end.
        if (page.total !== undefined && total === null) total = page.total;
        const applied = await this.applyPage(feed, after, page);
        if (applied) done += page.items.length + (page.rejects?.length ?? 0);
        this.status.update({
          progress: { feed, done, total: total === null ? null : Math.max(total, done) },
        });
        if (!prefetch || !applied) break;
        after = page.cursor;
        pending = prefetch;
      }
      await this.reportSetAside();
    } finally {
      this.status.update({ progress: null });
    }
  }

  /**
   * Writes a page's rows and its cursor in ONE transaction. A page whose starting cursor is no
   * longer ours (a duplicate or late response, another window got there first) is dropped, and a
   * cursor never moves backwards — so a crash or a resend never loses or repeats a page.
   */
  private async applyPage(
    feed: PagedFeed,
    askedAfter: string,
    page: FeedPage<CustomerFeedItem> | FeedPage<ProductItem>,
  ): Promise<boolean> {
    const rows: CustomerPage | CatalogPage =
      feed === 'customers'
        ? { feed, page: page as FeedPage<CustomerFeedItem> }
        : { feed, page: page as FeedPage<ProductItem> };
    const rejects = page.rejects ?? [];
    const now = this.opts.now().toISOString();
    // The page's blocks are packed and sealed before its transaction opens (data/feeds.ts).
    const prepared = await prepareFeedPage(this.db, rows);
    const applied = await applyFeedPage(this.db, askedAfter, rows, prepared, now);
    // Also when rows were set aside before: this page may have brought their fixed versions.
    if (applied && (rejects.length > 0 || this.status.get().setAsideCount > 0))
      await this.refreshSetAside();
    return applied;
  }

  pullStaff(): Promise<void> {
    return this.singleFlight('pull:staff', async () => {
      this.assertActive();
      const { items: staff, rejects = [] } = this.unwrap(await this.hub.pullStaff());
      this.assertActive();
      const now = this.opts.now().toISOString();
      await applyStaffFeed(this.db, staff, rejects, now);
      if (rejects.length > 0 || this.status.get().setAsideCount > 0) await this.refreshSetAside();
      await this.reportSetAside();
    });
  }

  /**
   * Tells the hub about feed rows set aside here, with their id and reason (never their values).
   * Best effort: a failure leaves them unreported for the next pull and never fails the sync; a
   * refusal (an older hub without the route) marks them reported, since resending cannot help.
   */
  private async reportSetAside(): Promise<void> {
    for (let round = 0; round < MAX_PAGE_ROUNDS; round++) {
      if (this.revoked) return;
      const { keys, rejects } = await unreportedSetAside(this.db, MAX_REJECTS_PER_CALL);
      if (keys.length === 0) return;
      const response = await this.hub.reportFeedRejects(rejects);
      if (!response.ok && response.error.code !== 'rejected') return;
      await markSetAsideReported(this.db, keys);
      if (keys.length < MAX_REJECTS_PER_CALL) return;
    }
  }

  private async refreshSetAside(): Promise<void> {
    if (this.revoked) return;
    this.status.update({ setAsideCount: await setAsideCount(this.db) });
  }

  // ---- alerts -----------------------------------------------------------------------------

  /** Catch-up after (re)connecting: alerts raised while away, stored and announced once. */
  catchUpAlerts(): Promise<void> {
    return this.runSafely(() =>
      this.singleFlight('alerts', async () => {
        const since = new Date(this.opts.now().getTime() - this.opts.alertCatchUpMinutes * 60_000);
        const alerts = this.unwrap(await this.hub.alertsSince(since.toISOString()));
        for (const alert of alerts) await this.enqueueLive(() => this.receiveAlert(alert));
        await recordAlertCatchUp(this.db, alerts, this.opts.now().toISOString());
      }),
    );
  }

  /**
   * `sync:resync`: the hub's nodes lost their shared link for a while, so live events raised on
   * another node never reached this socket although it stayed connected. Runs the same catch-up
   * as a reconnect, after a random share of the hub's spread window. Resyncs arriving while one
   * is pending (every node sends one) join it.
   */
  private scheduleResync(payload: unknown): void {
    if (!this.running || this.revoked || this.resyncTimer) return;
    // A payload this version does not understand still means "you may have missed something".
    const parsed = resyncPayload.safeParse(payload);
    const spread = parsed.success ? Math.min(parsed.data.spreadMs, MAX_RESYNC_SPREAD_MS) : 0;
    this.resyncTimer = setTimeout(
      () => {
        this.resyncTimer = null;
        this.catchUp();
      },
      Math.floor(this.random() * spread),
    );
  }

  /** Alerts first, then every feed; tracked so settled() covers the gap between the two. */
  private catchUp(): void {
    const run = this.catchUpAlerts()
      .then(() => this.syncNow())
      .catch((error: unknown) => this.recordError(error));
    this.catchUpRun = run;
    void run.finally(() => {
      if (this.catchUpRun === run) this.catchUpRun = null;
    });
  }

  private enqueueLive(task: () => Promise<void>): Promise<void> {
    const next = this.liveQueue.then(task).catch((error: unknown) => this.recordError(error));
    this.liveQueue = next;
    return next;
  }

  private async receiveAlert(payload: unknown): Promise<void> {
    const parsed = arrivalAlert.safeParse(payload);
    if (!parsed.success || this.revoked) return;
    this.announce(await storeAlert(this.db, parsed.data, this.opts.now()));
  }

  private async receiveAlertUpdate(payload: unknown): Promise<void> {
    const parsed = alertUpdate.safeParse(payload);
    if (!parsed.success || this.revoked) return;
    this.announce(await applyAlertUpdate(this.db, parsed.data));
  }

  private announce(write: AlertWrite): void {
    if (write.kind === 'unchanged') return;
    for (const listener of this.alertListeners) listener({ kind: write.kind, alert: write.alert });
  }

  // ---- push -------------------------------------------------------------------------------

  /**
   * Drains the outbox under a lock (never two drains, not even across windows). Registrations go
   * first, because orders may name a customer registered offline.
   */
  drain(): Promise<void> {
    return this.singleFlight('drain', () =>
      this.opts.lock.run(`shopguide-outbox:${this.db.terminalId}`, () => this.drainLocked()),
    );
  }

  private async drainLocked(): Promise<void> {
    this.status.update({ syncing: true });
    try {
      for (let round = 0; round < MAX_PAGE_ROUNDS; round++) {
        this.assertActive();
        const batch = await pendingEntries(this.db, this.opts.drainBatch);
        if (batch.length === 0) break;
        const registrations = batch.filter(
          (e): e is OutboxRegistration => e.kind === 'registration',
        );
        for (const entry of registrations) await this.sendRegistration(entry);
        // Re-read: a registration may have re-pointed an order to the canonical customer.
        const orders = await pendingOrdersAmong(
          this.db,
          batch.filter((e) => e.kind === 'order').map((e) => e.id),
        );
        if (orders.length > 0) await this.sendOrders(orders);
        const after = await outboxSummary(this.db);
        this.publishOutbox(after);
        if (
          await allStillPending(
            this.db,
            batch.map((e) => e.id),
          )
        )
          throw new HubFailure({
            code: 'invalid_response',
            message: 'the hub answered for none of the batch',
          });
        if (batch.length < this.opts.drainBatch) break;
      }
      await this.sendAudit();
      await this.pruneWhenDue();
      await this.reportStatusWhenDue();
    } finally {
      await this.refreshOutboxStatus();
    }
  }

  /**
   * After a drain, at most hourly: what the hub already has and is past its retention leaves the
   * terminal (data/retention.ts). Under the drain lock, so it never races another window's drain.
   */
  private async pruneWhenDue(): Promise<void> {
    const now = this.opts.now();
    if (this.lastPruneAt !== null && now.getTime() - this.lastPruneAt < PRUNE_EVERY_MS) return;
    this.lastPruneAt = now.getTime();
    await pruneLocal(this.db, now, this.opts.retention);
  }

  /**
   * After a drain that reached the hub: this build and what the outbox still holds, for IT's
   * terminal list — when it changed, else at most every STATUS_EVERY_MS. A terminal whose drains
   * fail reports nothing new, which IT reads as "seen, but not delivering" (status older than
   * last seen).
   */
  private async reportStatusWhenDue(): Promise<void> {
    const summary = await outboxSummary(this.db);
    const report: TerminalStatusReport = {
      appVersion: this.options.appVersion ?? APP_VERSION,
      pendingOutbox: summary.pendingCount,
      rejectedOutbox: summary.rejectedCount,
    };
    const key = JSON.stringify(report);
    const now = this.opts.now().getTime();
    if (this.lastStatus?.report === key && now - this.lastStatus.at < STATUS_EVERY_MS) return;
    // Best effort: a hub that cannot take it (an older hub without the route, a hiccup) must not
    // fail the drain that delivered the orders; the next drain tries again.
    if ((await this.hub.reportStatus(report)).ok) this.lastStatus = { report: key, at: now };
  }

  /** Profile views go to head office after the outbox (orders matter more at the counter). */
  private async sendAudit(): Promise<void> {
    for (let round = 0; round < MAX_PAGE_ROUNDS; round++) {
      this.assertActive();
      const entries = await unsyncedAuditBatch(this.db, this.opts.drainBatch);
      if (entries.length === 0) return;
      const response = await this.hub.postAudit(entries);
      this.assertActive();
      // A whole-call refusal (400) can only be a malformed entry; resending it would loop forever.
      const answered =
        !response.ok && response.error.code === 'rejected'
          ? entries.map((e) => e.id)
          : this.unwrap(response).map((r) => r.id);
      await markAuditSynced(this.db, answered);
      if (entries.length < this.opts.drainBatch) return;
    }
  }

  /**
   * Posts a batch. If the hub refuses the whole call (400: a schema drift, one bad order), the
   * batch is split down to single orders so one poison order is rejected with the hub's reason
   * and never blocks the rest of the queue.
   */
  private async sendOrders(orders: Order[]): Promise<void> {
    const response = await this.hub.postOrders(orders);
    this.assertActive();
    if (!response.ok && response.error.code === 'rejected') {
      if (orders.length === 1) {
        await recordResults(
          this.db,
          [{ id: orders[0]!.id, status: 'rejected', reason: response.error.message }],
          this.opts.now(),
        );
        return;
      }
      const half = Math.ceil(orders.length / 2);
      await this.sendOrders(orders.slice(0, half));
      await this.sendOrders(orders.slice(half));
      return;
    }
    const results = this.unwrap(response);
    const asked = new Set(orders.map((o) => o.id));
    await recordResults(
      this.db,
      results.filter((r) => asked.has(r.id)),
      this.opts.now(),
    );
  }

  private async sendRegistration(entry: OutboxRegistration): Promise<void> {
    const key = await this.options.secrets.getPhoneHashKey();
    const { phoneCipher, ...rest } = entry.registration;
    if (!key || !phoneCipher) {
      await recordResults(this.db, [
        { id: entry.id, status: 'rejected', reason: 'phone number unavailable' },
      ]);
      return;
    }
    const phone = await decryptPhone(key, phoneCipher);
    const response = await this.hub.registerCustomer({ ...rest, phone });
    this.assertActive();
    if (!response.ok && response.error.code === 'rejected') {
      await recordResults(this.db, [
        { id: entry.id, status: 'rejected', reason: response.error.message },
      ]);
      return;
    }
    const value = this.unwrap(response);
    await putCanonicalCustomer(this.db, entry.id, value.customer);
    await recordResults(
      this.db,
      [{ id: entry.id, status: value.status === 'created' ? 'accepted' : 'duplicate' }],
      this.opts.now(),
    );
  }

  private async refreshOutboxStatus(): Promise<void> {
    if (this.revoked) return;
    this.publishOutbox(await outboxSummary(this.db));
  }

  private publishOutbox(summary: Awaited<ReturnType<typeof outboxSummary>>): void {
    this.status.update(summary);
  }

  // ---- plumbing ---------------------------------------------------------------------------

  private unwrap<T>(result: HubResult<T>): T {
    if (result.ok) return result.value;
    if (result.error.code === 'unauthorized') throw new Revoked(result.error.message);
    throw new HubFailure(result.error);
  }

  private assertActive(): void {
    if (this.revoked) throw new Revoked('terminal revoked');
  }

  /** One run at a time per key; a call during a run asks for exactly one more run after it. */
  private singleFlight(key: string, task: () => Promise<void>): Promise<void> {
    const current = this.flights.get(key);
    if (current) {
      current.again = true;
      return current.promise;
    }
    const flight = { promise: Promise.resolve(), again: false };
    flight.promise = (async () => {
      try {
        do {
          flight.again = false;
          await task();
        } while (flight.again && !this.revoked);
      } finally {
        this.flights.delete(key);
      }
    })();
    this.flights.set(key, flight);
    return flight.promise;
  }

  /** Runs a sync step; errors become status (and a backoff retry), revocation wipes. */
  private async runSafely(task: () => Promise<void>): Promise<void> {
    if (this.revoked) return;
    try {
      await task();
      this.failures = 0;
      this.status.update({ lastSuccessAt: this.opts.now().toISOString(), lastError: null });
    } catch (error) {
      if (error instanceof Revoked) return this.revoke();
      // Work cut short by a revocation (database closed under it) is not an error to report.
      if (this.revoked) return;
      this.recordError(error);
      this.scheduleRetry();
    } finally {
      if (this.flights.size === 0) this.status.update({ syncing: false });
    }
  }

  private recordError(error: unknown): void {
    if (error instanceof Revoked) {
      void this.revoke();
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
    if (!this.running || !this.opts.autoRetry || this.retryTimer || this.revoked) return;
    const delay = backoffDelay(this.failures, this.opts.retry);
    this.failures += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.syncNow();
    }, delay);
  }

  /**
   * The hub no longer knows this terminal (401 or `terminal:revoked`): wipe the local database
   * and the secrets, and tell the app to return to enrolment.
   */
  async revoke(): Promise<void> {
    if (this.revoked) return;
    this.revoked = true;
    this.stop();
    await wipeTerminalDb(this.db);
    await this.options.secrets.clear();
    this.status.update({
      revoked: true,
      syncing: false,
      pendingCount: 0,
      oldestPendingAt: null,
      rejectedCount: 0,
      setAsideCount: 0,
      progress: null,
      lastError: 'terminal revoked',
    });
    this.options.onRevoked?.();
  }
}
