import type { FastifyBaseLogger } from 'fastify';
import {
  CUSTOMER_COLUMNS,
  loadCustomerRows,
  rowToFeedItem,
  type CustomerRow,
} from '../customers/profile';
import type { Db, Queryable } from '../db/database';
import type { FeedPageBytes } from './feed-cache';

/**
 * Stored feed JSON. Each customers row keeps the JSON the customer feed sends for it
 * (`feed_json`) and the `seq` it was made from (`feed_json_seq`). A feed page is then one narrow
 * query plus a string join, instead of 24 columns per row read out of the database, mapped and
 * serialised — on the embedded PGlite that was ≈ 0.5–0.65 s of the hub's CPU per 5,000-row page,
 * which made the chain's first terminal wait for the hub.
 *
 * The JSON is written in the background (`startFeedJsonMaterializer`), not by the write paths: a
 * stored JSON is used only while its `feed_json_seq` equals the row's `seq`, and every write to a
 * customer takes a new `seq`, so a row written a moment ago is simply mapped live by the page
 * query. Nothing can serve an outdated profile, whichever write path changed it. Two writes keep
 * `seq` and so mark the JSON out of date themselves: a merge re-pointing older tombstones, and
 * an erasure (which also drops the JSON at once: it holds the erased person's data).
 *
 * Changing what the feed sends for a row (`rowToProfile`, `rowToTombstone`, the wire schema) makes
 * every stored JSON out of date: ship that change with a migration that runs
 * `update customers set feed_json_seq = null`, and the hub rewrites them in the background.
 */

const NON_ASCII = /[\u0080-\uffff]/g;
const escapeUnit = (unit: string) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * JSON text with every character beyond ASCII written as a `\uXXXX` escape (a pair for one
 * beyond the BMP): `JSON.parse` gives the same value. Chromium's `TextDecoder` turns a feed page
 * of ASCII into a string ≈ 4 times as fast as the same page in UTF-8 with its names and tags in
 * Chinese (10.5 against 44 ms for 2,000 profiles, docs/benchmarks.md, "Feed pages packed, in ASCII"),
 * for ≈ 13 % more JSON and 4 % more gzip. Stored JSON written before is UTF-8 and stays correct.
 */
export const asciiJson = (json: string): string => json.replace(NON_ASCII, escapeUnit);

/**
 * The feed's JSON for one customers row: what `JSON.stringify` of the feed item gives, in ASCII
 * (`asciiJson`): the same value, and a page of it is decoded by the terminal on the fast path.
 */
export const feedJsonOf = (row: CustomerRow): string =>
  asciiJson(JSON.stringify(rowToFeedItem(row)));

/** A page of the customer feed as bytes, and how many of its rows came from stored JSON. */
export type CustomerFeedBytes = FeedPageBytes & { stored: number };

/**
 * The chain's customers changed after `after`, oldest change first (merged and deleted ones as
 * tombstones), as the JSON array the feed sends. Rows whose stored JSON is current are copied;
 * the others are read in full and mapped, as `rowToFeedItem` would.
 *
 * The whole chain (`HUB_CUSTOMER_FEED_SCOPE=chain`). With `store`, a terminal gets its store's
 * scope instead (scope-feed.ts; docs/scaling.md, "Store-scoped caches").
 */
export async function customerFeedPage(
  db: Queryable,
  { after, limit }: { after: string; limit: number },
): Promise<CustomerFeedBytes> {
  const rows = await db.query<{ id: string; seq: string; json: string | null }>(
    `select c.id, c.seq::text as seq,
            case when c.feed_json_seq = c.seq then c.feed_json end as json
       from customers c where c.seq > $1::bigint order by c.seq limit $2`,
    [after, limit + 1],
  );
  return assembleFeedPage(db, rows, { after, limit });
}

/**
 * A feed page from up to `limit + 1` rows read in feed order: rows whose stored JSON is current
 * are copied, the others read in full and mapped; `preset` answers a row's JSON when it is not
 * the customer's own (the store feed's out-of-scope tombstone). Rows written since the
 * materializer last ran are read after the page query, so on PostgreSQL a row may have changed
 * again in between: then the page carries that newer version (its seq above the page's cursor),
 * and the feed sends it once more later — never an older one.
 */
export async function assembleFeedPage<R extends { id: string; seq: string; json: string | null }>(
  db: Queryable,
  rows: readonly R[],
  { after, limit }: { after: string; limit: number },
  preset: (row: R) => string | null = () => null,
): Promise<CustomerFeedBytes> {
  const hasMore = rows.length > limit;
  const kept = hasMore ? rows.slice(0, limit) : rows;
  const fixed = kept.map(preset);
  const missing = kept.filter((r, i) => fixed[i] === null && r.json === null).map((r) => r.id);
  const live = await loadCustomerRows(db, missing);
  const parts = kept.map((r, i) => {
    const json = fixed[i] ?? r.json;
    if (json !== null) return json;
    const row = live.get(r.id);
    if (!row) throw new Error(`customer ${r.id} vanished while its feed page was built`);
    return feedJsonOf(row);
  });
  return {
    itemsJson: Buffer.from(`[${parts.join(',')}]`),
    count: kept.length,
    cursor: kept.at(-1)?.seq ?? after,
    hasMore,
    stored: kept.length - missing.length,
  };
}

/**
 * Writes the feed JSON of up to `limit` rows waiting for it (oldest change first) and returns how
 * many it wrote. Rows another transaction holds are skipped (`skip locked`) and picked up on a
 * later round, so this never waits for a writer and cannot take part in a deadlock; the rows it
 * selects stay locked until it has written them, so their JSON is made from what is stored.
 */
export async function materializeFeedJson(db: Db, limit = 1000): Promise<number> {
  return db.transaction(async (tx) => {
    const rows = await tx.query<CustomerRow>(
      `select ${CUSTOMER_COLUMNS} from customers c
        where c.feed_json_seq is distinct from c.seq
        order by c.seq limit $1
        for update of c skip locked`,
      [limit],
    );
    if (rows.length === 0) return 0;
    await tx.query(
      `update customers c set feed_json = x.json, feed_json_seq = x.seq
         from unnest($1::uuid[], $2::text[], $3::bigint[]) as x(id, json, seq)
        where c.id = x.id and c.seq = x.seq`,
      [rows.map((r) => r.id), rows.map(feedJsonOf), rows.map((r) => r.seq)],
    );
    return rows.length;
  });
}

/** Materializes until no row is waiting; returns the rows written (seed, CLI, tests). */
export async function materializeAllFeedJson(db: Db, batch = 1000): Promise<number> {
  let total = 0;
  for (;;) {
    const written = await materializeFeedJson(db, batch);
    total += written;
    if (written < batch) return total;
  }
}

export type FeedJsonMaterializer = {
  /** Stops the timer and waits for a running round to finish. */
  stop(): Promise<void>;
};

/**
 * Keeps the stored feed JSON current in the background: every `intervalMs` it writes the JSON of
 * rows changed since, in small batches (≈ 0.4 ms per row on PGlite, whose database runs on the
 * hub's own thread, so a batch of 100 holds requests up for ≈ 40 ms at most), and pauses between
 * batches for `pauseFactor` times as long as the last one took: a backfill or a burst of changes
 * uses at most ≈ 1 / (1 + pauseFactor) of the hub's time, and alerts and orders keep their
 * latency. Rows not written yet are mapped live by the feed, so lagging behind is only slower,
 * never wrong. On a hub with several nodes each node runs one; `skip locked` keeps them apart.
 */
export function startFeedJsonMaterializer(options: {
  db: Db;
  log: FastifyBaseLogger;
  intervalMs?: number;
  batch?: number;
  pauseFactor?: number;
}): FeedJsonMaterializer {
  const { db, log } = options;
  const batch = options.batch ?? 100;
  const pauseFactor = options.pauseFactor ?? 3;
  let stopped = false;
  let running: Promise<void> | null = null;
  const round = async () => {
    let written = 0;
    const started = Date.now();
    try {
      for (;;) {
        if (stopped) break;
        const batchStarted = performance.now();
        const n = await materializeFeedJson(db, batch);
        written += n;
        if (n < batch) break;
        const pause = (performance.now() - batchStarted) * pauseFactor;
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    } catch (error) {
      if (!stopped) log.error({ err: error }, 'feed JSON materializer failed');
    }
    // A backfill (a new hub version on an existing database, a big CRM import) is worth a line.
    if (written >= 10_000)
      log.info({ rows: written, ms: Date.now() - started }, 'feed JSON materialized');
    else if (written > 0)
      log.debug({ rows: written, ms: Date.now() - started }, 'feed JSON materialized');
  };
  const tick = () => {
    if (running || stopped) return;
    running = round().finally(() => {
      running = null;
    });
  };
  const timer = setInterval(tick, options.intervalMs ?? 1000);
  timer.unref();
  tick();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
