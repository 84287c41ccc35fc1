import type {
  ConsentChange,
  CustomerSearchRequest,
  CustomerSearchResponse,
  OutreachSettings,
  ProfileEdit,
} from '../../shared/protocol';
import type {
  AuditEntryWire,
  ArrivalAlert,
  BindingTransferRequest,
  BindingTransferResponse,
  ClaimAck,
  ClaimRequest,
  CustomerFeedId,
  CustomerTombstone,
  CustomerFeedItem,
  CustomerRegistration,
  FeedReject,
  FollowUpItem,
  FollowUpOutcome,
  TerminalStatusReport,
  ItemResult,
  Order,
  OrderReturn,
  OtherStoresStock,
  ProductItem,
  PinChangeRequest,
  RegistrationResponse,
  SignInResponse,
  StaffMember,
  StoreOrder,
  StoreOrdersPage,
  StoreOrdersQuery,
  VisitOutcome,
} from '../../shared/protocol';
import type { ApiError, ApiErrorCode } from '../../shared/api-client';
import type { Result } from '../../shared/result';
import type { SetAsideItem } from './feed-items';
import type { CustomerKeyRow, HeldRows } from '../data/held-pages';
import type { PullCustomerPages } from './page-prep-client';

/** The one error vocabulary of the hub contract (shared/api-client.ts). */
export type HubErrorCode = ApiErrorCode;
export type HubError = ApiError;
export type HubResult<T> = Result<T, HubError>;

/**
 * Rows of a feed answer that passed the shared schemas, and the ones set aside (absent or empty
 * when every row passed). Both count as received: the cursor moves past the set-aside ones too.
 */
export type FeedItems<T> = { items: T[]; rejects?: SetAsideItem[] };
export type FeedPage<T> = FeedItems<T> & { cursor: string; hasMore: boolean; total?: number };
/**
 * A customer feed page, with the feed it is of (`chain` or `store:<id>`): a page of another feed
 * than the one cached resets the cache (data/feeds.ts, "feed identity").
 */
export type CustomerFeedPage = FeedPage<CustomerFeedItem> & { feed: CustomerFeedId };

/**
 * A customer page pulled by the page worker (page-prep-client.ts): its profiles stay there; the
 * page gets their lookup keys (to plan the write against its index), the tombstones and the rows
 * set aside, and asks the worker for the planned blocks sealed (`rows.seal`), or for the rows
 * themselves (`rows.rows`) when it writes the page on its own thread. `release` when done.
 */
export type PulledCustomerPage = {
  feed: CustomerFeedId;
  cursor: string;
  hasMore: boolean;
  total?: number;
  keys: CustomerKeyRow[];
  tombstones: CustomerTombstone[];
  rejects: SetAsideItem[];
  rows: HeldRows;
};

/**
 * What the live channel reports. Payloads arrive as `unknown`: the engine validates them with the
 * shared schemas before anything is stored.
 */
export type LiveEvents = {
  connected(): void;
  disconnected(reason: string): void;
  alertNew(payload: unknown): void;
  alertUpdated(payload: unknown): void;
  customersChanged(payload: unknown): void;
  catalogChanged(payload: unknown): void;
  /** the store's follow-up tasks changed (#15): pull their feed */
  followUpsChanged(payload: unknown): void;
  staffChanged(): void;
  /** the hub says live events may have been missed: run the reconnect catch-up */
  resync(payload: unknown): void;
  revoked(reason: string): void;
};

export type LiveConnection = {
  claimAlert(request: ClaimRequest): Promise<HubResult<ClaimAck>>;
  close(): void;
};

/**
 * Everything the sync engine needs from the hub. The real implementation (`createHttpHubClient`)
 * uses fetch and socket.io-client; tests inject fakes that duplicate, reorder or fail responses.
 */
export type HubClient = {
  /** `withTotal` (default true) asks the hub to count the rows still to come (a range scan). */
  pullCustomers(
    after: string,
    limit: number,
    withTotal?: boolean,
  ): Promise<HubResult<CustomerFeedPage>>;
  /**
   * The customer feed through the page worker, where there is one (page-prep-client.ts): null
   * answers mean "pull it with `pullCustomers`" (no worker, or it failed).
   */
  pullCustomerPages?: PullCustomerPages;
  pullCatalog(
    after: string,
    limit: number,
    withTotal?: boolean,
  ): Promise<HubResult<FeedPage<ProductItem>>>;
  pullStaff(): Promise<HubResult<FeedItems<StaffMember>>>;
  /** the store's follow-up tasks (跟进) changed after the cursor (#15) */
  pullFollowUps(
    after: string,
    limit: number,
    withTotal?: boolean,
  ): Promise<HubResult<FeedPage<FollowUpItem>>>;
  /** why claimed customers left without buying (idempotent by id) */
  postVisitOutcomes(outcomes: VisitOutcome[]): Promise<HubResult<ItemResult[]>>;
  /** how follow-up tasks ended (idempotent by id) */
  postFollowUpOutcomes(outcomes: FollowUpOutcome[]): Promise<HubResult<ItemResult[]>>;
  /** marketing consents given or withdrawn here (#15 item 4; idempotent by id) */
  postConsents(changes: ConsentChange[]): Promise<HubResult<ItemResult[]>>;
  /** profile edits made here (#16 item 7; idempotent by id) */
  postProfileEdits(edits: ProfileEdit[]): Promise<HubResult<ItemResult[]>>;
  /** head office's outreach settings, from `GET /terminal` (they change without re-enrolling) */
  outreachSettings(): Promise<HubResult<OutreachSettings>>;
  /** the store's alerts raised since an instant, with their current status (catch-up) */
  alertsSince(since: string): Promise<HubResult<ArrivalAlert[]>>;
  postOrders(orders: Order[]): Promise<HubResult<ItemResult[]>>;
  /** after-sale: voids, returns and exchanges (#16 item 1) */
  postReturns(returns: OrderReturn[]): Promise<HubResult<ItemResult[]>>;
  registerCustomer(registration: CustomerRegistration): Promise<HubResult<RegistrationResponse>>;
  /** profile-view audit entries (idempotent by id) */
  postAudit(entries: AuditEntryWire[]): Promise<HubResult<ItemResult[]>>;
  /**
   * Online sign-in (`POST /staff/sign-in`): the hub checks the PIN with its own lockout. A wrong
   * PIN is `rejected` with reason `wrong_pin` (401, never `unauthorized`: the terminal is fine).
   */
  signIn(guideId: string, pin: string): Promise<HubResult<SignInResponse>>;
  /** `POST /staff/pin`: a guide replaces their PIN (the current one is checked like a sign-in) */
  changePin(request: PinChangeRequest): Promise<HubResult<{ ok: true }>>;
  /**
   * `POST /customers/:id/binding/transfer`: the store manager hands a customer to another guide;
   * the hub checks the manager's PIN (refusals as at sign-in) and audits the transfer.
   */
  transferBinding(
    customerId: string,
    request: BindingTransferRequest,
  ): Promise<HubResult<BindingTransferResponse>>;
  /** feed rows this terminal set aside (`POST /sync/rejects`); answers how many the hub logged */
  reportFeedRejects(rejects: FeedReject[]): Promise<HubResult<number>>;
  /** this terminal's build and undelivered outbox, for IT's terminal list (`POST /terminal/status`) */
  reportStatus(report: TerminalStatusReport): Promise<HubResult<void>>;
  /** a store-local day of this store's orders (`GET /orders`), for 今日订单 */
  storeOrders(query: StoreOrdersQuery): Promise<HubResult<StoreOrdersPage>>;
  /** one order of this store (`GET /orders/:id`), e.g. a scanned receipt */
  storeOrder(orderId: string): Promise<HubResult<StoreOrder>>;
  /** a product's stock in the chain's other stores, nearest first (online only) */
  otherStoresStock(sku: string, limit: number): Promise<HubResult<OtherStoresStock>>;
  /**
   * a member outside this store's cache, by exact phone, member code or 尾号 + name (online only,
   * `POST /customers/search`); the hub adds them to the store's scope, so the next pull caches them
   */
  searchCustomers(query: CustomerSearchRequest): Promise<HubResult<CustomerSearchResponse>>;
  connectLive(events: LiveEvents): LiveConnection;
};
