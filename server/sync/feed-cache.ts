/**
 * Read-through cache of the customer feed's full pages, as the JSON bytes of their items.
 *
 * Why: the chain-wide customer feed is the same for every terminal (a store-scoped one for every
 * terminal of the store: its pages are keyed by the store, docs/scaling.md), and an initial sync
 * reads all of it (200,000 profiles ≈ 285 MB of JSON, 20–30 s of hub CPU here). When a chain
 * rolls out hundreds of terminals, every one of them asks for the same pages; with the cache the
 * hub builds each page once and then only copies bytes.
 *
 * Why a cached page stays a correct answer: a full page (X, Y] (more rows after it when built) is
 * keyed by its starting cursor and limit. Writers draw sequence numbers above every committed one,
 * so no row can ever enter (X, Y] later; a row that changed since moved to a higher sequence, and
 * the reader gets its newer version (or its tombstone) on a later page. So a cached page may hold
 * an older version of a row, never a wrong end state, and `hasMore` stays true forever (rows are
 * never deleted, only tombstoned at a higher sequence). Partial (last) pages are never cached.
 *
 * What it must not do is keep erased data (right to erasure): every erasure bumps a counter in the
 * database (`customer_feed_epoch`), each request reads it first, and a new value empties the cache
 * — on every hub node, since they share the database.
 *
 * Read-ahead (issue #17 item 4): while a terminal pages through the feed, the hub builds the next
 * few full pages in the background (`readAhead`), so the terminal's next request finds its page
 * ready instead of waiting for the query — the chain's first terminal after a hub start waited for
 * every page. Pages built ahead go into the cache; with the cache off they are kept in a small
 * buffer (`ready`), each served once. Both hold only full pages, for the reason above.
 */

/** One page as bytes: the JSON array of its items, how many, the cursor after it. */
export type FeedPageBytes = { itemsJson: Buffer; count: number; cursor: string; hasMore: boolean };

type Entry = FeedPageBytes & { at: number; bytes: number };

export type FeedPageCacheOptions = {
  /** byte budget for all pages together; 0 disables the cache (read-ahead still works) */
  maxBytes: number;
  /** pages built ahead held at most while the cache is off (default 16) */
  readyPages?: number;
  /** a page older than this is rebuilt (fewer stale rows for late terminals) */
  ttlMs: number;
  now?: () => number;
};

export class FeedPageCache {
  private readonly pages = new Map<string, Entry>();
  private readonly building = new Map<string, Promise<FeedPageBytes>>();
  /** Full pages built ahead while the cache is off, each served once (oldest out first). */
  private readonly ready = new Map<string, Entry>();
  private bytes = 0;
  private epoch: string | null = null;
  private readonly now: () => number;

  constructor(private readonly options: FeedPageCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.options.maxBytes > 0;
  }

  /** Bytes held, for tests and metrics. */
  get size(): { pages: number; bytes: number } {
    return { pages: this.pages.size, bytes: this.bytes };
  }

  /**
   * Empties the cache when the erasure epoch moved. Call with the epoch read BEFORE the page is
   * read, so a page built around an erasure is tagged with the older epoch and dropped next time.
   */
  checkEpoch(epoch: string): void {
    if (this.epoch !== null && this.epoch !== epoch) this.clear();
    this.epoch = epoch;
  }

  /**
   * Whether a request for `key` could be answered from memory: a page held (cached, or built
   * ahead) or being built. Only such a request must check the erasure epoch first; any other is
   * built from the database now, and the next request that could be served from memory checks.
   */
  holds(key: string): boolean {
    return this.peek(key) !== undefined || this.building.has(key);
  }

  clear(): void {
    this.pages.clear();
    this.ready.clear();
    this.bytes = 0;
  }

  /**
   * The cached page for this key, or the result of `build` (run once however many requests ask
   * for the same key at the same time). Only full pages (`hasMore`) are kept.
   */
  async getOrBuild(
    key: string,
    build: () => Promise<FeedPageBytes>,
  ): Promise<{ page: FeedPageBytes; hit: boolean }> {
    const known = this.take(key);
    if (known) return { page: known, hit: true };
    return { page: await this.build(key, build, false), hit: false };
  }

  /**
   * Builds, one after the other, the `depth` pages that follow the page ending at `cursor`
   * (`keyOf(after)` names a page, `buildAfter(after)` builds it), skipping those already held or
   * being built, and stopping at the feed's last page. Run in the background after answering a
   * page: the terminal's next request then finds its page ready. Never rejects.
   */
  async readAhead(
    cursor: string,
    depth: number,
    keyOf: (after: string) => string,
    buildAfter: (after: string) => Promise<FeedPageBytes>,
  ): Promise<void> {
    let after = cursor;
    try {
      for (let i = 0; i < depth; i++) {
        const key = keyOf(after);
        const from = after;
        const page = this.peek(key) ?? (await this.build(key, () => buildAfter(from), true));
        if (!page.hasMore) return;
        after = page.cursor;
      }
    } catch {
      // Only a head start: the terminal's own request builds the page (and reports a failure).
    }
  }

  /** A fresh page held for `key` (cached, or built ahead), without taking it. */
  private peek(key: string): FeedPageBytes | undefined {
    const cached = this.pages.get(key) ?? this.ready.get(key);
    return cached && this.now() - cached.at <= this.options.ttlMs ? cached : undefined;
  }

  /** The page held for `key`: a cached one stays, one built ahead is served once. */
  private take(key: string): FeedPageBytes | undefined {
    const held = this.peek(key);
    if (!held) {
      this.remove(key);
      this.ready.delete(key);
    } else if (this.ready.has(key)) this.ready.delete(key);
    return held;
  }

  /** Runs `build` once however many ask for `key` at the same time; keeps full pages. */
  private build(
    key: string,
    build: () => Promise<FeedPageBytes>,
    ahead: boolean,
  ): Promise<FeedPageBytes> {
    let pending = this.building.get(key);
    if (!pending) {
      const epoch = this.epoch;
      pending = build().then((page) => {
        // An erasure seen while building: this page may predate it, so it is not kept.
        if (!page.hasMore || this.epoch !== epoch) return page;
        if (this.enabled) this.store(key, page);
        else if (ahead) this.keepReady(key, page);
        return page;
      });
      pending = pending.finally(() => this.building.delete(key));
      this.building.set(key, pending);
    }
    return pending;
  }

  private keepReady(key: string, page: FeedPageBytes): void {
    this.ready.delete(key);
    this.ready.set(key, { ...page, at: this.now(), bytes: page.itemsJson.length });
    const limit = this.options.readyPages ?? 16;
    for (const [oldest] of this.ready) {
      if (this.ready.size <= limit) break;
      this.ready.delete(oldest);
    }
  }

  private store(key: string, page: FeedPageBytes): void {
    const bytes = page.itemsJson.length;
    if (bytes > this.options.maxBytes) return;
    this.remove(key);
    // Oldest first out (a Map iterates in insertion order).
    for (const [oldest] of this.pages) {
      if (this.bytes + bytes <= this.options.maxBytes) break;
      this.remove(oldest);
    }
    this.pages.set(key, { ...page, at: this.now(), bytes });
    this.bytes += bytes;
  }

  private remove(key: string): void {
    const entry = this.pages.get(key);
    if (!entry) return;
    this.pages.delete(key);
    this.bytes -= entry.bytes;
  }
}
