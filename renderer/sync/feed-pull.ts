import { MAX_REJECTS_PER_CALL, type ProductItem } from '../../shared/protocol';
import { markSetAsideReported, setAsideCount, unreportedSetAside } from '../data/feed-rejects';
import { applyFollowUpPage } from '../data/follow-ups';
import { storeOutreachSettings } from '../data/consents';
import {
  applyFeedPage,
  applyStaffFeed,
  loadCustomerIndex,
  prepareFeedPage,
  type CatalogPage,
  type CustomerPage,
  type PageOutcome,
} from '../data/feeds';
import { readSyncState } from '../data/sync-state';
import { releaseHoldsCoveredBy } from '../data/stock-holds';
import { MAX_PAGE_ROUNDS, type EngineRuntime } from './engine-runtime';
import { prepareWorkerPage, StalePrepared } from '../data/customer-pages';
import type { CustomerFeedPage, FeedPage, HubResult, PulledCustomerPage } from './hub-client';

/** A page as fetched: a customer page whole or through the page worker, or a catalog page. */
type AnyPage = CustomerFeedPage | PulledCustomerPage | FeedPage<ProductItem>;
const isPulled = (page: AnyPage): page is PulledCustomerPage => 'keys' in page;
/** The valid rows a page brought (the rows set aside are counted apart). */
const rowsOf = (page: AnyPage): number =>
  isPulled(page) ? page.keys.length + page.tombstones.length : page.items.length;

export type PagedFeed = 'customers' | 'catalog';

/**
 * Feed pages asked for ahead of the one being written: the next page's request goes out as soon
 * as the previous answer arrives, not when the writer comes back for it, so the fetch (hub, feed
 * worker) never waits for a page's sealing and writing — at most this many answers wait.
 */
const PAGES_AHEAD = 2;

type PagesAhead<P> = {
  /** The next page's answer, in feed order; null once the feed's last page was handed out. */
  next(): Promise<HubResult<P>> | null;
  /** Asks for nothing more (answers fetched ahead and not taken are dropped, see `drop`). */
  stop(): void;
};

/**
 * Fetches a feed's pages one after another from `after` (each request starts from the cursor the
 * previous answer gave, so the pages are exactly those a page-by-page pull would get), keeping at
 * most `depth` answers fetched or on their way that the writer has not taken. The chain ends at
 * the last page or at a failed answer, which the writer then gets in its place.
 */
function pagesAhead<P extends { hasMore: boolean; cursor: string }>(
  fetchPage: (after: string, withTotal: boolean) => Promise<HubResult<P>>,
  after: string,
  depth: number,
  /** called with each page fetched ahead that is dropped (the page worker frees its rows) */
  drop: (page: P) => void = () => undefined,
): PagesAhead<P> {
  const queue: Promise<HubResult<P>>[] = [];
  let nextAfter: string | null = after;
  let inFlight = false;
  let stopped = false;
  let first = true;
  const pump = () => {
    if (stopped || inFlight || nextAfter === null || queue.length >= depth) return;
    inFlight = true;
    // Only the first page asks for `total`: counting the rest of the feed is a range scan.
    const request = fetchPage(nextAfter, first);
    first = false;
    queue.push(request);
    request.then(
      (result) => {
        inFlight = false;
        nextAfter = result.ok && result.value.hasMore ? result.value.cursor : null;
        pump();
      },
      () => {
        inFlight = false;
        nextAfter = null;
      },
    );
  };
  pump();
  return {
    next() {
      const answer = queue.shift() ?? null;
      pump();
      return answer;
    },
    stop() {
      stopped = true;
      for (const dropped of queue.splice(0))
        dropped.then(
          (result) => result.ok && drop(result.value),
          () => undefined,
        );
    },
  };
}

/**
 * Rows per feed page. 2,000 since the page workers pack ahead (issue #17): a 200,000-profile
 * initial sync took 14.3–14.5 s cold and 9.5–9.9 s warm against 14.7–15.7 / 10.1–10.6 s with
 * 1,000 (bench:terminal, quiet machine, docs/benchmarks.md); fewer pages, fewer transactions and
 * round trips. The hub allows 5,000; a page's transaction stays short (20 sealed blocks).
 */
export const DEFAULT_PAGE_SIZE = 2000;

/**
 * Pulls the hub's feeds into IndexedDB page by page (rows and cursor in one transaction), and
 * reports the rows set aside as invalid.
 */
export class FeedPull {
  constructor(private readonly rt: EngineRuntime) {}

  /** Pulls one paged feed to its end, in a run that starts at or after this call (calls coalesce). */
  pullFeed(feed: PagedFeed): Promise<void> {
    return this.rt.coalesce(`pull:${feed}`, () => this.pullPages(feed));
  }

  pullStaff(): Promise<void> {
    const { rt } = this;
    return rt.coalesce('pull:staff', async () => {
      rt.assertActive();
      const { items: staff, rejects = [] } = rt.unwrap(await rt.hub.pullStaff());
      rt.assertActive();
      const now = rt.settings.now().toISOString();
      await applyStaffFeed(rt.db, staff, rejects, now);
      if (rejects.length > 0 || rt.status.get().setAsideCount > 0) await this.refreshSetAside();
      await this.reportSetAside();
    });
  }

  /**
   * Pulls the store's follow-up tasks (#15) to the feed's end, each page with its cursor in one
   * transaction. Small (a store's open tasks), so no progress is reported.
   */
  pullFollowUps(): Promise<void> {
    const { rt } = this;
    return rt.coalesce('pull:followUps', async () => {
      let after = (await readSyncState(rt.db, 'followUps')).cursor;
      for (let round = 0; round < MAX_PAGE_ROUNDS; round++) {
        rt.assertActive();
        const page = rt.unwrap(await rt.hub.pullFollowUps(after, rt.settings.pageSize, false));
        rt.assertActive();
        const now = rt.settings.now().toISOString();
        const applied = await applyFollowUpPage(rt.db, after, page, now);
        if ((page.rejects?.length ?? 0) > 0) await this.refreshSetAside();
        if (!applied || !page.hasMore) break;
        after = page.cursor;
      }
      await this.reportSetAside();
    });
  }

  /**
   * Head office's outreach settings (#15 item 4), from `GET /terminal` at every sync run: they
   * change at head office without the terminal re-enrolling, and are kept here for offline use.
   */
  pullSettings(): Promise<void> {
    const { rt } = this;
    return rt.coalesce('pull:settings', async () => {
      const settings = rt.unwrap(await rt.hub.outreachSettings());
      rt.assertActive();
      await storeOutreachSettings(rt.db, settings, rt.settings.now().toISOString());
    });
  }

  async refreshSetAside(): Promise<void> {
    if (this.rt.revoked) return;
    this.rt.status.update({ setAsideCount: await setAsideCount(this.rt.db) });
  }

  private async pullPages(feed: PagedFeed): Promise<void> {
    const { rt } = this;
    let done = 0;
    let total: number | null = null;
    rt.status.update({ syncing: true, progress: { feed, done, total } });
    // Only the first page of a run asks for `total`: counting the rest of the feed is a range
    // scan on the hub, and later pages only need the running `done`.
    const fetchPage = async (after: string, withTotal: boolean): Promise<HubResult<AnyPage>> => {
      const size = rt.settings.pageSize;
      if (feed === 'catalog') return rt.hub.pullCatalog(after, size, withTotal);
      // Through the page worker where there is one (null: there is none now).
      const pulled = await rt.hub.pullCustomerPages?.(after, size, withTotal);
      return pulled ?? rt.hub.pullCustomers(after, size, withTotal);
    };
    const drop = (page: AnyPage) => {
      if (isPulled(page)) page.rows.release();
    };
    // Sales the hub confirmed before this instant are in the figures this pull brings.
    const startedAt = rt.settings.now().toISOString();
    let pages: PagesAhead<AnyPage> | null = null;
    try {
      const state = await readSyncState(rt.db, feed);
      let after = state.cursor;
      // A re-fill after a feed reset that an earlier run (or app start) left unfinished.
      if (state.resyncing)
        rt.status.update({ customerResync: { phase: 'running', before: state.rowsDone } });
      // Fetch the next pages while this one is written: the hub, the page workers and IndexedDB
      // work in parallel. A page fetched ahead that is not applied is simply dropped.
      pages = pagesAhead(fetchPage, after, PAGES_AHEAD, drop);
      // Load the customer index while the first page is on its way, a slice at a time: first
      // needed inside the page's transaction, it would be built there in one piece.
      if (feed === 'customers') await loadCustomerIndex(rt.db);
      for (let round = 0; round < MAX_PAGE_ROUNDS; round++) {
        rt.assertActive();
        const pending = pages.next();
        if (!pending) break;
        const page = rt.unwrap(await pending);
        rt.assertActive();
        // `total` is the rows from the cursor asked for to the feed's end.
        if (page.total !== undefined && total === null) total = page.total;
        const outcome = await this.applyPage(feed, after, page);
        if (outcome === 'reset') {
          // The hub serves another customer feed than the one cached (data/feeds.ts): the cache
          // was emptied and the cursor is 0 now. Pages fetched ahead belong to the old cursor.
          pages.stop();
          after = '0';
          done = 0;
          total = null;
          rt.status.update({
            progress: { feed, done, total },
            customerResync: { phase: 'running', before: 0 },
          });
          pages = pagesAhead(fetchPage, after, PAGES_AHEAD, drop);
          continue;
        }
        const applied = outcome === 'applied';
        if (applied) done += rowsOf(page) + (page.rejects?.length ?? 0);
        rt.status.update({
          progress: { feed, done, total: total === null ? null : Math.max(total, done) },
        });
        // At the feed's head: this terminal's confirmed sales are in the cached figures now.
        if (applied && !page.hasMore && feed === 'catalog')
          await releaseHoldsCoveredBy(rt.db, startedAt);
        const resync = rt.status.get().customerResync;
        if (applied && !page.hasMore && feed === 'customers' && resync?.phase === 'running')
          rt.status.update({ customerResync: { phase: 'done', rows: resync.before + done } });
        if (!page.hasMore || !applied) break;
        after = page.cursor;
      }
      await this.reportSetAside();
    } finally {
      pages?.stop();
      rt.status.update({ progress: null });
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
    page: AnyPage,
  ): Promise<PageOutcome> {
    const { rt } = this;
    if (isPulled(page)) return this.applyPulled(askedAfter, page);
    const rows: CustomerPage | CatalogPage =
      feed === 'customers'
        ? { feed, page: page as CustomerFeedPage }
        : { feed, page: page as FeedPage<ProductItem> };
    const rejects = page.rejects ?? [];
    const now = rt.settings.now().toISOString();
    // The page's blocks are packed and sealed before its transaction opens (data/feeds.ts).
    const prepared = await prepareFeedPage(rt.db, rows);
    const outcome = await applyFeedPage(rt.db, askedAfter, rows, prepared, now);
    await this.afterApplied(outcome, rejects);
    return outcome;
  }

  /**
   * The set-aside count after a page: also when rows were set aside before, since this page may
   * have brought their fixed versions.
   */
  private async afterApplied(outcome: PageOutcome, rejects: readonly unknown[]): Promise<void> {
    if (outcome === 'applied' && (rejects.length > 0 || this.rt.status.get().setAsideCount > 0))
      await this.refreshSetAside();
  }

  /**
   * A page the page worker pulled: written from the records it sealed (planned here against the
   * index), in the same one transaction with the cursor. When that cannot be (a tombstone of a
   * cached customer, the store moved since the plan — `StalePrepared` rolls that transaction
   * back), the worker hands over the page's rows and it is written as any page. Either way the
   * worker then forgets the page.
   */
  private async applyPulled(askedAfter: string, pulled: PulledCustomerPage): Promise<PageOutcome> {
    const { rt } = this;
    const { keys, tombstones, rows: held, ...meta } = pulled;
    try {
      const prepared = await prepareWorkerPage(rt.db, pulled);
      if (prepared) {
        const itemIds = [...keys.map((k) => k.id), ...tombstones.map((t) => t.id)];
        const page = { ...meta, items: tombstones, itemIds };
        const now = rt.settings.now().toISOString();
        try {
          const outcome = await applyFeedPage(
            rt.db,
            askedAfter,
            { feed: 'customers', page },
            prepared,
            now,
          );
          await this.afterApplied(outcome, meta.rejects);
          return outcome;
        } catch (error) {
          if (!(error instanceof StalePrepared)) throw error;
        }
      }
      const items = [...(await held.rows()), ...tombstones];
      return await this.applyPage('customers', askedAfter, { ...meta, items });
    } finally {
      held.release();
    }
  }

  /**
   * Tells the hub about feed rows set aside here, with their id and reason (never their values).
   * Best effort: a failure leaves them unreported for the next pull and never fails the sync; a
   * refusal (an older hub without the route) marks them reported, since resending cannot help.
   */
  private async reportSetAside(): Promise<void> {
    const { rt } = this;
    for (let round = 0; round < MAX_PAGE_ROUNDS; round++) {
      if (rt.revoked) return;
      const { keys, rejects } = await unreportedSetAside(rt.db, MAX_REJECTS_PER_CALL);
      if (keys.length === 0) return;
      const response = await rt.hub.reportFeedRejects(rejects);
      if (!response.ok && response.error.code !== 'rejected') return;
      await markSetAsideReported(rt.db, keys);
      if (keys.length < MAX_REJECTS_PER_CALL) return;
    }
  }
}
