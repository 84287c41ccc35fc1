import type { FollowUpItem, ItemResult, OtherStoresStock } from '../../../shared/protocol';
import { err, ok } from '../../../shared/result';
import {
  checkCustomerItems,
  checkProductItems,
  checkStaffItems,
  checkFollowUpItems,
  type CheckedItems,
} from '../../sync/feed-items';
import type { FeedPage, HubClient, HubResult, LiveConnection } from '../../sync/hub-client';
import { register, takeConsent, takeProfileEdit, transferBinding } from './customers';
import { closeFollowUp, takeVisitOutcome } from './follow-ups';
import { acceptOrder, acceptReturn, storeOrder, storeOrders } from './orders';
import { changePin, signIn } from './pin';
import { searchCustomers } from './search';
import type { FakeHubState } from './state';

/**
 * A terminal's `HubClient` over the fake hub: each call passes the faults first (revoked, offline),
 * a mutating one may lose its answer after the hub applied it, a feed may replay its first page.
 */
export function fakeHubClient(hub: FakeHubState): HubClient {
  const guard = <T>(call: () => HubResult<T> | Promise<HubResult<T>>) =>
    (async (): Promise<HubResult<T>> => {
      await Promise.resolve();
      if (hub.faults.revoked) return err({ code: 'unauthorized', message: 'revoked', status: 401 });
      if (hub.faults.offline) return err({ code: 'network', message: 'fetch failed' });
      return call();
    })();
  const lossy = <T>(call: () => HubResult<T> | Promise<HubResult<T>>) =>
    guard(async () => {
      const result = await call();
      if (hub.faults.loseResponses > 0) {
        hub.faults.loseResponses -= 1;
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
      hub.calls.pulls += 1;
      (hub.calls.withTotal[name] ??= []).push(withTotal);
      const stale = hub.firstFeedResponse.get(name) as HubResult<FeedPage<T>> | undefined;
      if (hub.faults.replayStale > 0 && stale) {
        hub.faults.replayStale -= 1;
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
      if (!hub.firstFeedResponse.has(name)) hub.firstFeedResponse.set(name, result);
      return result;
    });
  /** A batch post: counted, each item answered by the hub's rule for it. */
  const batch = <T>(items: readonly T[], take: (item: T) => ItemResult) =>
    lossy((): HubResult<ItemResult[]> => {
      hub.calls.posts += 1;
      return ok(items.map(take));
    });
  return {
    // The page says which feed it is of, as the hub's does (`hub.customerFeed`).
    pullCustomers: async (after, limit, withTotal) => {
      const answer = await feed(
        'customers',
        hub.customers.values(),
        checkCustomerItems,
        after,
        limit,
        withTotal,
      );
      return answer.ok ? ok({ feed: hub.customerFeed, ...answer.value }) : answer;
    },
    pullCatalog: (after, limit, withTotal) =>
      feed('catalog', hub.products.values(), checkProductItems, after, limit, withTotal),
    pullStaff: () => guard(() => ok(checkStaffItems(structuredClone(hub.staff)))),
    pullFollowUps: (after, limit, withTotal) =>
      feed(
        'followUps',
        hub.followUps.values(),
        // The schema strips `seq` (the position travels as the page's cursor, as on the hub).
        checkFollowUpItems as (
          raw: readonly unknown[],
        ) => CheckedItems<FollowUpItem & { seq: string }>,
        after,
        limit,
        withTotal,
      ),
    postVisitOutcomes: (outcomes) => batch(outcomes, (o) => takeVisitOutcome(hub, o)),
    postFollowUpOutcomes: (outcomes) => batch(outcomes, (o) => closeFollowUp(hub, o)),
    postConsents: (changes) => batch(changes, (c) => takeConsent(hub, c)),
    postProfileEdits: (edits) => batch(edits, (e) => takeProfileEdit(hub, e)),
    outreachSettings: () => guard(() => ok(structuredClone(hub.outreach))),
    alertsSince: (since) =>
      guard(() => ok(structuredClone(hub.alerts.filter((a) => a.at >= since)))),
    postOrders: (orders) => batch(orders, (o) => acceptOrder(hub, o)),
    postReturns: (returns) => batch(returns, (r) => acceptReturn(hub, r)),
    registerCustomer: (registration) => lossy(() => register(hub, registration)),
    storeOrders: (query) => guard(() => storeOrders(hub, query)),
    storeOrder: (orderId) => guard(() => storeOrder(hub, orderId)),
    // not counted in `calls.posts`
    postAudit: (entries) =>
      lossy((): HubResult<ItemResult[]> =>
        ok(
          entries.map((e) => {
            const known = hub.audit.has(e.id);
            hub.audit.set(e.id, e);
            return { id: e.id, status: known ? 'duplicate' : 'accepted' };
          }),
        ),
      ),
    signIn: (guideId, pin) => guard(() => signIn(hub, guideId, pin)),
    changePin: (change) => guard(() => changePin(hub, change)),
    transferBinding: (customerId, request) =>
      lossy(() => transferBinding(hub, customerId, request)),
    reportFeedRejects: (rejects) =>
      lossy((): HubResult<number> => {
        hub.feedRejects.push(...structuredClone(rejects));
        return ok(rejects.length);
      }),
    otherStoresStock: (sku, limit) =>
      lossy((): HubResult<OtherStoresStock> =>
        ok({ sku, stores: (hub.otherStores.get(sku) ?? []).slice(0, limit) }),
      ),
    searchCustomers: (query) => lossy(() => searchCustomers(hub, query)),
    reportStatus: (report) =>
      lossy((): HubResult<void> => {
        hub.statusReports.push(structuredClone(report));
        return ok(undefined);
      }),
    connectLive: (events): LiveConnection => {
      hub.live.add(events);
      queueMicrotask(() => {
        if (!hub.faults.offline && hub.live.has(events)) events.connected();
      });
      return {
        claimAlert: () => Promise.resolve(ok({ ok: true as const })),
        close: () => {
          hub.live.delete(events);
        },
      };
    },
  };
}
