import type {
  ArrivalAlert,
  AuditEntryWire,
  ConsentChange,
  CustomerFeedId,
  CustomerFeedItem,
  CustomerProfile,
  CustomerSearchRequest,
  FeedReject,
  FollowUpItem,
  FollowUpOutcome,
  Order,
  OrderReturn,
  OtherStoresStock,
  OutreachSettings,
  ProductItem,
  ProfileEdit,
  StaffMember,
  TerminalStatusReport,
  VisitOutcome,
} from '../../../shared/protocol';
import type { LiveEvents } from '../../sync/hub-client';
import type { ElsewhereMember } from './search';

type Faults = {
  /** every call fails with a network error before reaching the hub */
  offline: boolean;
  /** the next N mutating calls are applied by the hub but the answer is lost */
  loseResponses: number;
  /** the next N feed calls answer with the feed's first (oldest, stale) response again */
  replayStale: number;
  revoked: boolean;
};

/**
 * What the fake hub holds — the store's feeds with their change sequence, what terminals posted,
 * the faults a test has switched on — and how a test seeds it (`upsertCustomer`, `deleteCustomer`,
 * `upsertProduct`, `upsertFollowUp`) and drives the live channel. The hub's rules over this state
 * are the sibling modules; `client.ts` answers a terminal's calls with them.
 */
export class FakeHubState {
  private seq = 0n;
  /**
   * which customer feed `customers` is (what each page says, issue #17): a test switches it, and
   * what `customers` holds, to model a hub that changed `HUB_CUSTOMER_FEED_SCOPE`
   */
  customerFeed: CustomerFeedId = 'chain';
  readonly customers = new Map<string, CustomerFeedItem>();
  readonly products = new Map<string, ProductItem>();
  staff: StaffMember[] = [];
  alerts: ArrivalAlert[] = [];
  readonly orders = new Map<string, Order>();
  /** returns as received (#16), by id */
  readonly returns = new Map<string, OrderReturn>();
  readonly audit = new Map<string, AuditEntryWire>();
  /** what terminals reported setting aside (`POST /sync/rejects`) */
  readonly feedRejects: FeedReject[] = [];
  /** the terminal's status reports, oldest first */
  readonly statusReports: TerminalStatusReport[] = [];
  /** how many times each order id was posted (to prove resends happen and are harmless) */
  readonly orderPosts = new Map<string, number>();
  readonly rejectSkus = new Set<string>();
  /** guides the hub no longer counts as active here: their orders are refused */
  readonly inactiveGuides = new Set<string>();
  /** the store's counters' names, for orders read back (`GET /orders`) */
  readonly terminalNames = new Map<string, string>();
  /** what `GET /stock/other-stores` answers, by SKU (nearest first, as the hub sorts them) */
  readonly otherStores = new Map<string, OtherStoresStock['stores']>();
  /** members outside this store's scope (#17), by id: found by `searchCustomers`, then fed */
  readonly elsewhere = new Map<string, ElsewhereMember>();
  /** the online searches asked, in order */
  readonly searches: CustomerSearchRequest[] = [];
  /** the store's follow-up tasks (#15), each with its feed position */
  readonly followUps = new Map<string, FollowUpItem & { seq: string }>();
  /** outcomes the hub stored, by their terminal id, and how often each id was posted */
  readonly visitOutcomes = new Map<string, VisitOutcome>();
  readonly followUpOutcomes = new Map<string, FollowUpOutcome>();
  readonly outcomePosts = new Map<string, number>();
  /** consent changes the hub stored (#15 item 4), by their terminal id */
  readonly consentChanges = new Map<string, ConsentChange>();
  readonly profileEdits = new Map<string, ProfileEdit>();
  /** head office's outreach settings, as GET /terminal gives them */
  outreach: OutreachSettings = { miniStoreUrlPattern: null };
  /** online sign-ins the hub checked, in order (guide id and outcome; never the PIN) */
  readonly signIns: { guideId: string; outcome: 'ok' | 'wrong' | 'locked' | 'inactive' }[] = [];
  /** the hub's PIN lockout, per guide (the real hub keeps it in guide_pin_lockouts) */
  readonly pinFailures = new Map<string, { failures: number; lockedUntil: number | null }>();
  /** transfers the hub applied, by request id (a resend answers `duplicate`) */
  readonly transfers = new Map<
    string,
    { customerId: string; toGuideId: string; managerId: string }
  >();
  /** the clock of the lockout (tests move it) */
  now = () => Date.now();
  /** full phone hash → customer id of registrations (hub-side only, never in a profile) */
  readonly phoneHashes = new Map<string, string>();
  readonly faults: Faults = { offline: false, loseResponses: 0, replayStale: 0, revoked: false };
  /** per feed, its first answer (what `replayStale` sends again) */
  readonly firstFeedResponse = new Map<string, unknown>();
  /** the terminals' open live channels */
  readonly live = new Set<LiveEvents>();
  calls = {
    pulls: 0,
    posts: 0,
    /** per feed, whether each pull asked for `total` */
    withTotal: {} as Record<string, boolean[]>,
  };

  constructor(readonly phoneKey: string) {}

  private nextSeq(): string {
    this.seq += 1n;
    return this.seq.toString();
  }

  /** The latest change's position on the feeds (what a `*Changed` event carries). */
  cursor(): string {
    return this.seq.toString();
  }

  upsertCustomer(profile: CustomerProfile): CustomerProfile {
    const row = { ...profile, seq: this.nextSeq() };
    this.customers.delete(profile.id);
    this.customers.set(profile.id, row);
    return row;
  }

  deleteCustomer(id: string, mergedInto: string | null = null): void {
    this.customers.delete(id);
    this.customers.set(id, { id, seq: this.nextSeq(), deleted: true, mergedInto });
    if (mergedInto)
      for (const order of this.orders.values())
        if (order.customerId === id) order.customerId = mergedInto;
  }

  /** Puts a follow-up task on the store's feed (as the hub's generation would). */
  upsertFollowUp(task: FollowUpItem): void {
    this.followUps.delete(task.id);
    this.followUps.set(task.id, { ...task, seq: this.nextSeq() });
  }

  upsertProduct(product: ProductItem): void {
    this.products.delete(product.id);
    this.products.set(product.id, { ...product, seq: this.nextSeq() });
  }

  /** The hub's view of the store's live customers (what a terminal cache should equal). */
  liveCustomers(): CustomerProfile[] {
    return [...this.customers.values()].filter((c): c is CustomerProfile => !('deleted' in c));
  }

  // ---- live channel ----
  emit<K extends keyof LiveEvents>(event: K, ...args: Parameters<LiveEvents[K]>): void {
    for (const events of this.live) (events[event] as (...a: unknown[]) => void)(...args);
  }
  disconnectAll(): void {
    for (const events of this.live) events.disconnected('transport close');
  }
  reconnectAll(): void {
    for (const events of this.live) events.connected();
  }
}
