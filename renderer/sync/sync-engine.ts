import type {
  ClaimAck,
  PinChangeRequest,
  SignInResponse,
  StoreOrder,
  StoreOrdersPage,
  StoreOrdersQuery,
  BindingTransferRequest,
  BindingTransferResponse,
  OtherStoresStock,
  CustomerSearchRequest,
  CustomerSearchResponse,
} from '../../shared/protocol';
import type { Result } from '../../shared/result';
import type { TerminalDb } from '../data/database';
import { onOutboxQueued } from '../data/outbox';
import { DEFAULT_RETENTION, type Retention } from '../data/retention';
import type { SecretStore } from '../data/secret-store';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { defaultDrainLock, type DrainLock } from './drain-lock';
import { EngineRuntime } from './engine-runtime';
import { DEFAULT_PAGE_SIZE, FeedPull, type PagedFeed } from './feed-pull';
import { Housekeeping } from './housekeeping';
import type { HubClient, HubError, HubResult } from './hub-client';
import { LiveEvents, type AlertListener } from './live-events';
import { OutboxDrain } from './outbox-drain';
import type { StatusStore, SyncStatus } from './sync-status';

export { DEFAULT_PAGE_SIZE } from './feed-pull';
export type { AlertListener } from './live-events';

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

/**
 * Moves data between the terminal's IndexedDB and the hub, exactly once in both directions:
 * pulls feeds page by page (feed-pull.ts), stores live alerts before telling anyone
 * (live-events.ts), and drains the outbox with the terminal-generated ids the hub deduplicates on
 * (outbox-drain.ts), followed by housekeeping (housekeeping.ts). This class wires them together;
 * the shared state and the coalescing/backoff rules are in engine-runtime.ts.
 */
export class SyncEngine {
  readonly status: StatusStore;
  private readonly rt: EngineRuntime;
  private readonly pull: FeedPull;
  private readonly outbox: OutboxDrain;
  private readonly housekeeping: Housekeeping;
  private readonly live: LiveEvents;

  constructor(private readonly options: SyncEngineOptions) {
    this.rt = new EngineRuntime(
      options.db,
      options.hub,
      {
        pageSize: options.pageSize ?? DEFAULT_PAGE_SIZE,
        drainBatch: Math.min(options.drainBatch ?? 500, 500),
        alertCatchUpMinutes: options.alertCatchUpMinutes ?? 35,
        retry: options.retry ?? DEFAULT_BACKOFF,
        lock: options.lock ?? defaultDrainLock(),
        now: options.now ?? (() => new Date()),
        autoRetry: options.autoRetry ?? true,
        retention: options.retention ?? DEFAULT_RETENTION,
      },
      { revoke: () => this.revoke(), retry: () => this.syncNow() },
    );
    this.status = this.rt.status;
    this.pull = new FeedPull(this.rt);
    this.housekeeping = new Housekeeping(this.rt, options.secrets, options.appVersion);
    this.outbox = new OutboxDrain(this.rt, options.secrets, this.housekeeping, () =>
      this.pull.pullFeed('catalog'),
    );
    this.live = new LiveEvents(this.rt, {
      pull: this.pull,
      syncNow: () => this.syncNow(),
      revoke: () => this.revoke(),
      random: options.random ?? Math.random,
    });
    // An order or registration queued (or a rejected entry retried) by the UI shows in the status
    // at once, the engine running or not: the status store is all the UI observes.
    onOutboxQueued(options.db, () => void this.refreshOutbox());
  }

  /** Re-reads the outbox figures into the status (also done after every drain). */
  refreshOutbox(): Promise<void> {
    return this.outbox.refreshOutboxStatus().catch(() => undefined);
  }

  /** Connects the live channel and runs a full sync; failures retry with backoff. */
  async start(): Promise<void> {
    if (this.rt.running || this.rt.revoked) return;
    this.rt.running = true;
    await this.outbox.refreshOutboxStatus();
    await this.pull.refreshSetAside();
    this.live.connect();
    await this.syncNow();
  }

  /** Stops timers and the live channel; the database stays (use after logout, in tests). */
  stop(): void {
    this.rt.running = false;
    this.rt.cancelRetry();
    this.live.close();
    this.status.update({ online: false });
  }

  /**
   * Resolves when queued live events have been stored and announced and the runs in flight
   * (a reconnect's or resync's catch-up included) have ended. Never rejects: a failed run is
   * already in the status (and its caller's result).
   */
  async settled(): Promise<void> {
    await this.live.settled();
    await this.rt.runsSettled();
  }

  onAlert(listener: AlertListener): () => void {
    return this.live.onAlert(listener);
  }

  subscribe(listener: (status: SyncStatus) => void): () => void {
    return this.status.subscribe(listener);
  }

  /** Pull every feed, then drain the outbox. Errors go to status; a retry is scheduled. */
  async syncNow(): Promise<void> {
    await this.rt.runSafely(async () => {
      await this.pull.pullFeed('customers');
      await this.pull.pullFeed('catalog');
      await this.pull.pullStaff();
      await this.pull.pullFollowUps();
      await this.pull.pullSettings();
      await this.outbox.drain();
    });
  }

  /** Pulls head office's outreach settings (the mini-store link pattern) now. */
  pullSettings(): Promise<void> {
    return this.pull.pullSettings();
  }

  /** Call after writing to the outbox so the order goes out as soon as the hub is reachable. */
  requestDrain(): Promise<void> {
    return this.rt.runSafely(() => this.outbox.drain());
  }

  /** Where else in the chain a product is (online only: nothing of it is cached). */
  otherStoresStock(sku: string, limit = 5): Promise<HubResult<OtherStoresStock>> {
    return this.options.hub.otherStoresStock(sku, limit);
  }

  /**
   * A member outside this store's cache, searched at the hub (online only, issue #17). The hub put
   * the members found into the store's scope before answering, so the customer feed is pulled
   * before this answers: opening one finds the profile cached, and offline later too.
   */
  async searchHub(query: CustomerSearchRequest): Promise<HubResult<CustomerSearchResponse>> {
    const result = await this.options.hub.searchCustomers(query);
    if (result.ok && result.value.customers.length > 0)
      await this.pull.pullFeed('customers').catch(() => undefined);
    return result;
  }

  /** Online sign-in at the hub (renderer/session/use-sign-in.ts falls back offline). */
  signInOnline(guideId: string, pin: string): Promise<HubResult<SignInResponse>> {
    return this.options.hub.signIn(guideId, pin);
  }

  /** A guide's PIN change at the hub; the new verifier reaches this terminal with a staff pull. */
  async changePin(request: PinChangeRequest): Promise<HubResult<{ ok: true }>> {
    const result = await this.options.hub.changePin(request);
    if (result.ok) await this.pull.pullStaff().catch(() => undefined);
    return result;
  }

  /** A store-local day of this store's orders from the hub (online only), for 今日订单. */
  storeOrders(query: StoreOrdersQuery): Promise<HubResult<StoreOrdersPage>> {
    return this.options.hub.storeOrders(query);
  }

  /** One order of this store from the hub (online only): a receipt of another counter. */
  storeOrder(orderId: string): Promise<HubResult<StoreOrder>> {
    return this.options.hub.storeOrder(orderId);
  }

  /**
   * The manager's transfer of a customer to another guide, at the hub (it checks the manager's
   * PIN); on success the customer feed is pulled so this terminal's cache shows the new guide.
   */
  async transferBinding(
    customerId: string,
    request: BindingTransferRequest,
  ): Promise<HubResult<BindingTransferResponse>> {
    const result = await this.options.hub.transferBinding(customerId, request);
    if (result.ok) await this.pull.pullFeed('customers').catch(() => undefined);
    return result;
  }

  claimAlert(alertId: string, guideId: string): Promise<Result<ClaimAck, HubError>> {
    return this.live.claim(alertId, guideId);
  }

  /** The guide has read that the customer re-sync finished: its notice goes. */
  dismissResyncNotice(): void {
    if (this.status.get().customerResync?.phase === 'done')
      this.status.update({ customerResync: null });
  }

  /** Pulls one paged feed to its end, in a run that starts at or after this call (calls coalesce). */
  pullFeed(feed: PagedFeed): Promise<void> {
    return this.pull.pullFeed(feed);
  }

  pullStaff(): Promise<void> {
    return this.pull.pullStaff();
  }

  /** Pulls the store's follow-up tasks (#15) to the feed's end. */
  pullFollowUps(): Promise<void> {
    return this.pull.pullFollowUps();
  }

  /** Catch-up after (re)connecting: alerts raised while away, stored and announced once. */
  catchUpAlerts(): Promise<void> {
    return this.live.catchUpAlerts();
  }

  /** Drains the outbox under a lock (never two drains, not even across windows). */
  drain(): Promise<void> {
    return this.outbox.drain();
  }

  /**
   * The hub no longer knows this terminal (401 or `terminal:revoked`): wipe the local database
   * and the secrets, and tell the app to return to enrolment.
   */
  async revoke(): Promise<void> {
    if (this.rt.revoked) return;
    this.rt.revoked = true;
    this.stop();
    await this.housekeeping.wipeRevoked();
    this.options.onRevoked?.();
  }
}
