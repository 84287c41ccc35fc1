/**
 * An in-process hub for unit and property tests (not used by the app). It models the real hub's
 * semantics — change sequence, tombstones, idempotent order ids, phone de-duplication on
 * registration — and lets a test cut the network, lose responses after the hub committed,
 * duplicate or replay old responses, and revoke the terminal.
 */
import type {
  ConsentChange,
  ProfileEdit,
  OutreachSettings,
  StoreOrder,
  OtherStoresStock,
  CustomerSearchRequest,
  CustomerSearchResponse,
  AuditEntryWire,
  ArrivalAlert,
  BindingTransferResponse,
  CustomerFeedItem,
  CustomerProfile,
  CustomerRegistration,
  FeedReject,
  TerminalStatusReport,
  ItemResult,
  Order,
  OrderReturn,
  ProductItem,
  RegistrationResponse,
  StaffMember,
  FollowUpItem,
  FollowUpOutcome,
  VisitOutcome,
} from '../../shared/protocol';
import { phoneHash } from '../../shared/domain/crypto';
import { orderTotals } from '../../shared/domain/money';
import {
  checkPin,
  hashPin,
  PIN_LOCK_MINUTES,
  PIN_MAX_FAILURES,
} from '../../shared/domain/pin-verifier';
import { normalisePhone, phoneLast4 } from '../../shared/domain/phone';
import { phoneTag } from '../../shared/domain/phone-tag';
import { err, ok } from '../../shared/result';
import { applyProfileChanges, EMPTY_IN_STORE, EMPTY_TERMINAL_ONLINE } from '../../shared/protocol';
import {
  checkCustomerItems,
  checkProductItems,
  checkStaffItems,
  checkFollowUpItems,
  type CheckedItems,
} from './feed-items';
import type { FeedPage, HubClient, HubResult, LiveConnection, LiveEvents } from './hub-client';
import { matchElsewhere, type ElsewhereMember } from './fake-hub-search';

type Faults = {
  /** every call fails with a network error before reaching the hub */
  offline: boolean;
  /** the next N mutating calls are applied by the hub but the answer is lost */
  loseResponses: number;
  /** the next N feed calls answer with the feed's first (oldest, stale) response again */
  replayStale: number;
  revoked: boolean;
};

export class FakeHub {
  private seq = 0n;
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
  private readonly phoneHashes = new Map<string, string>();
  readonly faults: Faults = { offline: false, loseResponses: 0, replayStale: 0, revoked: false };
  private firstFeedResponse = new Map<string, unknown>();
  private live = new Set<LiveEvents>();
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

  /** The hub's PIN check with its lockout (server/staff/sign-in.ts), in memory. */
  private async checkGuidePin(
    guideId: string,
    pin: string,
  ): Promise<HubResult<{ guide: StaffMember; changeRequired: boolean }>> {
    const guide = this.staff.find((s) => s.id === guideId);
    if (!guide) return err({ code: 'rejected', message: 'unknown guide', status: 404 });
    if (!guide.active) {
      this.signIns.push({ guideId, outcome: 'inactive' });
      return err({ code: 'rejected', message: 'inactive', status: 403, reason: 'guide_inactive' });
    }
    const now = this.now();
    const entry = this.pinFailures.get(guideId) ?? { failures: 0, lockedUntil: null };
    if (entry.lockedUntil !== null && entry.lockedUntil <= now) {
      entry.failures = 0;
      entry.lockedUntil = null;
    }
    const locked = (until: number) => {
      this.signIns.push({ guideId, outcome: 'locked' });
      return err({
        code: 'rejected' as const,
        message: 'locked',
        status: 423,
        reason: 'pin_locked' as const,
        details: { attemptsLeft: 0, lockedUntil: new Date(until).toISOString() },
      });
    };
    if (entry.lockedUntil !== null) return locked(entry.lockedUntil);
    const check = await checkPin(pin, guide.pinHash);
    if (check.ok) {
      this.pinFailures.delete(guideId);
      this.signIns.push({ guideId, outcome: 'ok' });
      return ok({ guide, changeRequired: check.changeRequired });
    }
    entry.failures += 1;
    this.pinFailures.set(guideId, entry);
    if (entry.failures >= PIN_MAX_FAILURES) {
      entry.lockedUntil = now + PIN_LOCK_MINUTES * 60_000;
      return locked(entry.lockedUntil);
    }
    this.signIns.push({ guideId, outcome: 'wrong' });
    return err({
      code: 'rejected',
      message: 'wrong PIN',
      status: 401,
      reason: 'wrong_pin',
      details: { attemptsLeft: PIN_MAX_FAILURES - entry.failures, lockedUntil: null },
    });
  }

  client(): HubClient {
    const guard = <T>(call: () => HubResult<T> | Promise<HubResult<T>>) =>
      (async (): Promise<HubResult<T>> => {
        await Promise.resolve();
        if (this.faults.revoked)
          return err({ code: 'unauthorized', message: 'revoked', status: 401 });
        if (this.faults.offline) return err({ code: 'network', message: 'fetch failed' });
        return call();
      })();
    const lossy = <T>(call: () => HubResult<T> | Promise<HubResult<T>>) =>
      guard(async () => {
        const result = await call();
        if (this.faults.loseResponses > 0) {
          this.faults.loseResponses -= 1;
          return err({ code: 'network', message: 'response lost' });
        }
        return result;
      });
    // Rows go through the same per-row validation as the HTTP client's, so a test can put a row
    // out of the schema's range into the fake hub and see it set aside.
    const feed = <T extends { seq: string }>(
      name: string,
      rows: Iterable<T>,
      check: (raw: readonly unknown[]) => CheckedItems<T>,
      after: string,
      limit: number,
      withTotal = true,
    ) =>
      guard((): HubResult<FeedPage<T>> => {
        this.calls.pulls += 1;
        (this.calls.withTotal[name] ??= []).push(withTotal);
        const stale = this.firstFeedResponse.get(name) as HubResult<FeedPage<T>> | undefined;
        if (this.faults.replayStale > 0 && stale) {
          this.faults.replayStale -= 1;
          return stale;
        }
        const newer = [...rows]
          .filter((r) => BigInt(r.seq) > BigInt(after))
          .sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
        const items = newer.slice(0, limit);
        const checked = check(structuredClone(items));
        const page: FeedPage<T> = {
          items: checked.items,
          ...(checked.rejects.length > 0 ? { rejects: checked.rejects } : {}),
          cursor: items.length > 0 ? items[items.length - 1]!.seq : after,
          hasMore: newer.length > limit,
          ...(withTotal ? { total: newer.length } : {}),
        };
        const result = ok(structuredClone(page));
        if (!this.firstFeedResponse.has(name)) this.firstFeedResponse.set(name, result);
        return result;
      });
    return {
      pullCustomers: (after, limit, withTotal) =>
        feed('customers', this.customers.values(), checkCustomerItems, after, limit, withTotal),
      pullCatalog: (after, limit, withTotal) =>
        feed('catalog', this.products.values(), checkProductItems, after, limit, withTotal),
      pullStaff: () => guard(() => ok(checkStaffItems(structuredClone(this.staff)))),
      pullFollowUps: (after, limit, withTotal) =>
        feed(
          'followUps',
          this.followUps.values(),
          // The schema strips `seq` (the position travels as the page's cursor, as on the hub).
          checkFollowUpItems as (
            raw: readonly unknown[],
          ) => CheckedItems<FollowUpItem & { seq: string }>,
          after,
          limit,
          withTotal,
        ),
      postVisitOutcomes: (outcomes) =>
        lossy((): HubResult<ItemResult[]> => {
          this.calls.posts += 1;
          return ok(
            outcomes.map((o) => {
              this.outcomePosts.set(o.id, (this.outcomePosts.get(o.id) ?? 0) + 1);
              const known = this.visitOutcomes.has(o.id);
              this.visitOutcomes.set(o.id, structuredClone(o));
              return { id: o.id, status: known ? 'duplicate' : 'accepted' };
            }),
          );
        }),
      postFollowUpOutcomes: (outcomes) =>
        lossy((): HubResult<ItemResult[]> => {
          this.calls.posts += 1;
          return ok(outcomes.map((o) => this.closeFollowUp(o)));
        }),
      postConsents: (changes) =>
        lossy((): HubResult<ItemResult[]> => {
          this.calls.posts += 1;
          return ok(changes.map((c) => this.takeConsent(c)));
        }),
      postProfileEdits: (edits) =>
        lossy((): HubResult<ItemResult[]> => {
          this.calls.posts += 1;
          return ok(edits.map((e) => this.takeProfileEdit(e)));
        }),
      outreachSettings: () => guard(() => ok(structuredClone(this.outreach))),
      alertsSince: (since) =>
        guard(() => ok(structuredClone(this.alerts.filter((a) => a.at >= since)))),
      postOrders: (orders) =>
        lossy((): HubResult<ItemResult[]> => {
          this.calls.posts += 1;
          return ok(orders.map((o) => this.acceptOrder(o)));
        }),
      postReturns: (returns) =>
        lossy((): HubResult<ItemResult[]> => {
          this.calls.posts += 1;
          return ok(
            returns.map((r): ItemResult => {
              if (this.returns.has(r.id)) return { id: r.id, status: 'duplicate' };
              if (!this.orders.has(r.orderId))
                return { id: r.id, status: 'rejected', code: 'unknown_order', reason: 'no order' };
              this.returns.set(r.id, structuredClone(r));
              return { id: r.id, status: 'accepted' };
            }),
          );
        }),
      registerCustomer: (registration) => lossy(() => this.register(registration)),
      storeOrders: (query) =>
        guard(() => {
          // The fake's store is in Shanghai (UTC+8, no DST): its day is the UTC day 8 h ahead.
          const localDay = (t: number) => new Date(t + 8 * 3_600_000).toISOString().slice(0, 10);
          const date = query.date ?? localDay(this.now());
          const orders = [...this.orders.values()]
            .filter(
              (o) =>
                localDay(Date.parse(o.createdAt)) === date &&
                (!query.terminalId || o.terminalId === query.terminalId) &&
                (!query.guideId || o.guideId === query.guideId),
            )
            .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
            .map((o) => this.storeOrderOf(o));
          return ok({
            date,
            timezone: 'Asia/Shanghai',
            orders,
            hasMore: false,
          });
        }),
      storeOrder: (orderId) =>
        guard(() => {
          const order = this.orders.get(orderId);
          return order
            ? ok(this.storeOrderOf(order))
            : err({ code: 'rejected' as const, message: 'no such order', status: 404 });
        }),
      postAudit: (entries) =>
        lossy((): HubResult<ItemResult[]> =>
          ok(
            entries.map((e) => {
              const known = this.audit.has(e.id);
              this.audit.set(e.id, e);
              return { id: e.id, status: known ? 'duplicate' : 'accepted' };
            }),
          ),
        ),
      signIn: (guideId, pin) =>
        guard(async () => {
          const checked = await this.checkGuidePin(guideId, pin);
          if (!checked.ok) return checked;
          const { guide, changeRequired } = checked.value;
          return ok({
            guide: { id: guide.id, name: guide.name, role: guide.role },
            pinChangeRequired: changeRequired,
          });
        }),
      changePin: (change) =>
        guard(async () => {
          const checked = await this.checkGuidePin(change.guideId, change.currentPin);
          if (!checked.ok) return checked;
          checked.value.guide.pinHash = await hashPin(change.newPin, {
            params: { N: 16, r: 8, p: 1 },
          });
          return ok({ ok: true as const });
        }),
      transferBinding: (customerId, request) =>
        lossy(async (): Promise<HubResult<BindingTransferResponse>> => {
          const earlier = this.transfers.get(request.id);
          const current = () => {
            const c = this.customers.get(earlier?.customerId ?? customerId);
            return c && !('deleted' in c) ? c : null;
          };
          if (earlier && current()?.binding)
            return ok({ status: 'duplicate' as const, binding: current()!.binding! });
          const checked = await this.checkGuidePin(request.managerId, request.managerPin);
          if (!checked.ok) return checked;
          if (checked.value.guide.role !== 'manager')
            return err({
              code: 'rejected',
              message: 'not a manager',
              status: 403,
              reason: 'forbidden',
            });
          const target = this.staff.find((s) => s.id === request.toGuideId && s.active);
          const customer = current();
          if (!target || !customer)
            return err({
              code: 'rejected',
              message: 'unknown',
              status: 400,
              reason: 'invalid_input',
            });
          const binding = {
            guideId: target.id,
            guideName: target.name,
            since: new Date(this.now()).toISOString(),
          };
          this.upsertCustomer({ ...customer, binding });
          this.transfers.set(request.id, {
            customerId,
            toGuideId: target.id,
            managerId: request.managerId,
          });
          return ok({ status: 'transferred' as const, binding });
        }),
      reportFeedRejects: (rejects) =>
        lossy((): HubResult<number> => {
          this.feedRejects.push(...structuredClone(rejects));
          return ok(rejects.length);
        }),
      otherStoresStock: (sku, limit) =>
        lossy((): HubResult<OtherStoresStock> =>
          ok({ sku, stores: (this.otherStores.get(sku) ?? []).slice(0, limit) }),
        ),
      searchCustomers: (query) =>
        lossy((): HubResult<CustomerSearchResponse> => {
          this.searches.push(structuredClone(query));
          const customers = matchElsewhere(this.elsewhere.values(), query);
          // Found: now in this store's scope, so the feed carries them (as the hub does).
          for (const profile of customers) {
            this.elsewhere.delete(profile.id);
            this.upsertCustomer(profile);
          }
          return ok({ customers });
        }),
      reportStatus: (report) =>
        lossy((): HubResult<void> => {
          this.statusReports.push(structuredClone(report));
          return ok(undefined);
        }),
      connectLive: (events): LiveConnection => {
        this.live.add(events);
        queueMicrotask(() => {
          if (!this.faults.offline && this.live.has(events)) events.connected();
        });
        return {
          claimAlert: () => Promise.resolve(ok({ ok: true as const })),
          close: () => {
            this.live.delete(events);
          },
        };
      },
    };
  }

  /** An accepted order as the hub reads it back (`GET /orders`). */
  private storeOrderOf(order: Order): StoreOrder {
    const { total, units } = orderTotals(order.lines);
    const guide = this.staff.find((s) => s.id === order.guideId);
    return {
      id: order.id,
      createdAt: order.createdAt,
      terminal: {
        id: order.terminalId,
        name: this.terminalNames.get(order.terminalId) ?? '收银台',
      },
      guide: { id: order.guideId, name: guide?.name ?? '' },
      customerId: order.customerId ?? null,
      paymentMethod: order.paymentMethod,
      total,
      units,
      lines: order.lines.map((l) => {
        const product = [...this.products.values()].find((p) => p.sku === l.sku);
        return {
          sku: l.sku,
          name: product?.name ?? l.sku,
          size: product?.size ?? null,
          quantity: l.quantity,
          unitPrice: l.unitPrice,
          discount: l.discount,
        };
      }),
      afterSale: this.afterSaleOf(order),
    };
  }

  /** What the fake's returns did to an order (units per line; no refund arithmetic). */
  private afterSaleOf(order: Order): NonNullable<StoreOrder['afterSale']> {
    const mine = [...this.returns.values()].filter((r) => r.orderId === order.id);
    const byLine = order.lines.map((_, i) =>
      mine.reduce((n, r) => n + (r.lines.find((l) => l.lineNo === i + 1)?.quantity ?? 0), 0),
    );
    return {
      refunded: 0,
      returnedUnits: byLine.reduce((a, b) => a + b, 0),
      voided: mine.some((r) => r.kind === 'void'),
      returnedByLine: byLine,
    };
  }

  /** The hub's rule: the first outcome closes the task, which moves on the feed. */
  /** As the hub: once per id; the latest change by the terminal's clock becomes the feed's state. */
  private takeConsent(c: ConsentChange): ItemResult {
    if (this.consentChanges.has(c.id)) return { id: c.id, status: 'duplicate' };
    this.consentChanges.set(c.id, structuredClone(c));
    const profile = this.customers.get(c.customerId);
    if (!profile || 'deleted' in profile) return { id: c.id, status: 'accepted' };
    const current = profile.marketingConsent;
    if (!current?.at || Date.parse(current.at) < Date.parse(c.at)) {
      this.upsertCustomer({
        ...profile,
        marketingConsent: { granted: c.granted, at: c.at, noticeVersion: c.noticeVersion },
      });
      queueMicrotask(() => this.emit('customersChanged', { cursor: this.seq.toString() }));
    }
    return { id: c.id, status: 'accepted' };
  }

  /** As the hub: once per id; each named field takes the edit's value (later received wins). */
  private takeProfileEdit(e: ProfileEdit): ItemResult {
    if (this.profileEdits.has(e.id)) return { id: e.id, status: 'duplicate' };
    const profile = this.customers.get(e.customerId);
    if (!profile)
      return { id: e.id, status: 'rejected', code: 'unknown_customer', about: [e.customerId] };
    if ('deleted' in profile)
      return { id: e.id, status: 'rejected', code: 'customer_erased', about: [e.customerId] };
    this.profileEdits.set(e.id, structuredClone(e));
    this.upsertCustomer(applyProfileChanges(profile, e.changes));
    queueMicrotask(() => this.emit('customersChanged', { cursor: this.seq.toString() }));
    return { id: e.id, status: 'accepted' };
  }

  private closeFollowUp(o: FollowUpOutcome): ItemResult {
    this.outcomePosts.set(o.id, (this.outcomePosts.get(o.id) ?? 0) + 1);
    if (this.followUpOutcomes.has(o.id)) return { id: o.id, status: 'duplicate' };
    const task = this.followUps.get(o.taskId);
    if (!task) return { id: o.id, status: 'rejected', reason: 'unknown task' };
    if (task.status !== 'open') return { id: o.id, status: 'duplicate' };
    this.followUpOutcomes.set(o.id, structuredClone(o));
    this.upsertFollowUp({ ...task, status: 'done', outcome: o.outcome, doneAt: o.at });
    queueMicrotask(() => this.emit('followUpsChanged', { cursor: this.seq.toString() }));
    return { id: o.id, status: 'accepted' };
  }

  private acceptOrder(order: Order): ItemResult {
    this.orderPosts.set(order.id, (this.orderPosts.get(order.id) ?? 0) + 1);
    if (this.orders.has(order.id)) return { id: order.id, status: 'duplicate' };
    // As the hub answers (server/orders/service.ts): a code, the English reason, what it is about.
    if (this.inactiveGuides.has(order.guideId))
      return {
        id: order.id,
        status: 'rejected',
        code: 'guide_inactive',
        reason: `guide ${order.guideId} is not an active guide of this store`,
        about: [order.guideId],
      };
    const bad = [...new Set(order.lines.map((l) => l.sku).filter((s) => this.rejectSkus.has(s)))];
    if (bad.length > 0)
      return {
        id: order.id,
        status: 'rejected',
        code: 'unknown_sku',
        reason: `unknown SKU: ${bad.join(', ')}`,
        about: bad,
      };
    this.orders.set(order.id, structuredClone(order));
    return { id: order.id, status: 'accepted' };
  }

  private async register(
    registration: CustomerRegistration,
  ): Promise<HubResult<RegistrationResponse>> {
    const phone = normalisePhone(registration.phone);
    if (!phone)
      return err({
        code: 'rejected' as const,
        message: 'invalid phone number',
        status: 400,
        reason: 'invalid_input' as const,
        details: [{ path: 'phone', message: 'not a valid phone number' }],
      });
    const hash = await phoneHash(this.phoneKey, phone.e164);
    // The full hash stays on the hub, as on the real one (profiles carry only 尾号 + tag). For
    // profiles a test put in directly the fake knows no hash: it matches those on 尾号 + tag.
    const knownId = this.phoneHashes.get(hash);
    const last4 = phoneLast4(phone.e164);
    const existing = this.liveCustomers().find((c) =>
      knownId !== undefined
        ? c.id === knownId
        : c.phoneLast4 === last4 && c.phoneTag === phoneTag(hash),
    );
    if (existing) return ok({ status: 'existing' as const, customer: existing });
    const byId = this.customers.get(registration.id);
    if (byId && !('deleted' in byId)) return ok({ status: 'existing' as const, customer: byId });
    const customer = this.upsertCustomer({
      id: registration.id,
      seq: '0',
      name: registration.name,
      phoneLast4: phoneLast4(phone.e164),
      phoneTag: phoneTag(hash),
      memberCode: `S${registration.id.slice(-8)}`,
      tier: 'regular',
      points: 0,
      gender: registration.gender,
      birthday: registration.birthday ? registration.birthday.slice(5, 10) : null,
      sizes: registration.sizes,
      favouriteCategories: [],
      homeStoreId: null,
      tags: [],
      notes: registration.notes ?? '',
      online: EMPTY_TERMINAL_ONLINE,
      inStore: EMPTY_IN_STORE,
      lifetimeSpend: 0,
    });
    this.phoneHashes.set(hash, customer.id);
    return ok({ status: 'created' as const, customer });
  }
}
