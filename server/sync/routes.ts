import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  customerFeedIdOf,
  endpoints,
  PACKED_JSON,
  type CustomerFeedId,
  type FeedReject,
  type ProductItem,
  type StaffMember,
} from '../../shared/protocol';
import type { HubContext } from '../context';
import { terminalOf } from '../http/access';
import { onEndpoint } from '../http/endpoint';
import { badRequest } from '../http/errors';
import { FeedPageCache, type FeedPageBytes } from './feed-cache';
import { scopeRowsAfter } from '../customers/scope';
import { customerFeedPage } from './feed-json';
import { storeCustomerFeedPage } from './scope-feed';
import {
  catalogFeedPage,
  customerFeedEpoch,
  customersAfter,
  storeStaff,
  type FeedOptions,
  type FeedPage,
} from './feeds';

const MAX_BIGINT = 2n ** 63n - 1n;

/** The feed query, with cursors that fit the database's bigint (19 digits can overflow it). */
function feedParams(params: FeedOptions): FeedOptions {
  if (BigInt(params.after) > MAX_BIGINT)
    throw badRequest('invalid query', [{ path: 'after', message: 'cursor out of range' }]);
  return params;
}

/**
 * Terminal pull feeds. Each pages by the server's change sequence (never the terminal's clock);
 * writers draw sequence numbers under the change-feed lock, so a row can never commit behind a
 * cursor a reader has already passed.
 */
export function registerSyncRoutes(api: FastifyInstance, ctx: HubContext): void {
  const { db } = ctx;
  const cache = new FeedPageCache({
    maxBytes: ctx.config.feedCacheMb * 1024 * 1024,
    ttlMs: ctx.config.feedCacheTtlSeconds * 1000,
  });

  // Answered as bytes: full pages come from the chain-wide page cache (see feed-cache.ts), and
  // `x-feed-cache: hit | miss` says which. The body is exactly what serialising a FeedPage gives.
  // `HUB_CUSTOMER_FEED_SCOPE=store`: each store's own members (scope-feed.ts); the page cache
  // holds a store's pages under the store's key, with the same reasoning (rows only move up).
  // Every page says which feed it is (`feed`: `chain` or `store:<id>`): a terminal that cached
  // another feed starts this one from 0 (renderer/data/feeds.ts, "feed identity").
  const scoped = ctx.config.customerFeedScope === 'store';
  const readAhead = ctx.config.feedReadAheadPages;
  onEndpoint(api, endpoints.syncCustomers, async ({ request, reply, query }) => {
    const params = feedParams(query);
    const storeId = scoped ? terminalOf(request).storeId : null;
    const feed = customerFeedIdOf(storeId);
    const keyOf = (after: string) => `${storeId ?? 'chain'}:${after}:${params.limit}`;
    // Before anything is served from memory (also with the cache off: pages built ahead must not
    // outlive an erasure either). A request nothing in memory can answer — a hint's one-row pull,
    // a page nobody built yet — is built from the database now and skips the read: one statement
    // a pull instead of two (docs/benchmarks.md, "What one such pull costs"). No await between
    // `holds` and `getOrBuild` below, so nothing can start building the key in between.
    if (cache.holds(keyOf(params.after))) cache.checkEpoch(await customerFeedEpoch(db));
    const buildAfter = async (after: string) => {
      const built = storeId
        ? await storeCustomerFeedPage(db, storeId, { ...params, after })
        : await customerFeedPage(db, { ...params, after });
      // A page built ahead is compressed ahead too (zlib runs on libuv's thread pool).
      if (built.hasMore && after !== params.after) void gzipped(built, feed).catch(() => undefined);
      return built;
    };
    // `x-feed-stored: 4998/5000` on a page this request built: rows copied from stored feed JSON
    // (see feed-json.ts) out of the page's rows; the rest were mapped live.
    let stored: string | null = null;
    const { page, hit } = await cache.getOrBuild(keyOf(params.after), async () => {
      const built = await buildAfter(params.after);
      stored = `${built.stored}/${built.count}`;
      return built;
    });
    const total = !params.withTotal
      ? undefined
      : !page.hasMore
        ? page.count
        : storeId
          ? await scopeRowsAfter(db, storeId, params.after)
          : await customersAfter(db, params.after);
    // A terminal pages on: build its next pages while it takes this one in (feed-cache.ts).
    if (page.hasMore && readAhead > 0)
      void cache.readAhead(page.cursor, readAhead, keyOf, buildAfter);
    reply
      .type('application/json; charset=utf-8')
      .header('x-feed-cache', hit ? 'hit' : 'miss')
      .header('vary', 'accept, accept-encoding')
      .headers(stored === null ? {} : { 'x-feed-stored': stored });
    // Full pages without a total go compressed (compressed once per page held): ≈ 1.1 MB of
    // JSON per 1,000 profiles crosses the network as a fraction of it. The terminal asks for
    // them packed (`Accept: PACKED_JSON`, shared/protocol/endpoint-def.ts): the same gzip as the
    // body itself, so Chromium's network service does not unpack it and pipe the full JSON into
    // the page — the terminal inflates it where it parses it. Other clients get the gzip as a
    // `content-encoding`.
    if (total === undefined && page.hasMore) {
      if (acceptsPacked(request)) return reply.type(PACKED_JSON).send(await gzipped(page, feed));
      if (acceptsGzip(request))
        return reply.header('content-encoding', 'gzip').send(await gzipped(page, feed));
    }
    return reply.send(pageBody(page, feed, total));
  });

  onEndpoint(
    api,
    endpoints.syncCatalog,
    async ({ request, query }): Promise<FeedPage<ProductItem>> => {
      const terminal = terminalOf(request);
      return catalogFeedPage(db, terminal.storeId, feedParams(query));
    },
  );

  onEndpoint(api, endpoints.syncStaff, async ({ request }): Promise<{ items: StaffMember[] }> => {
    const terminal = terminalOf(request);
    return { items: await storeStaff(db, terminal.storeId) };
  });

  // A terminal set feed rows aside that it could not validate (renderer/sync/feed-items.ts). The
  // hub only logs them: they point at a hub bug or a schema drift, which someone must look at.
  onEndpoint(
    api,
    endpoints.syncRejects,
    async ({ request, body: { rejects } }): Promise<{ recorded: number }> => {
      const terminal = terminalOf(request);
      for (const reject of rejects)
        request.log.warn(
          { terminalId: terminal.terminalId, storeId: terminal.storeId, ...loggable(reject) },
          'terminal set a feed row aside',
        );
      return { recorded: rejects.length };
    },
  );
}

/**
 * What of a reject goes into the log. The terminal builds `reason` from zod issue paths and
 * messages, never field values; digit runs that could be a phone number are masked anyway, in
 * case an older or modified terminal sends more than it should.
 */
function loggable(reject: FeedReject) {
  return {
    feed: reject.feed,
    id: reject.id,
    seq: reject.seq,
    reason: reject.reason.replace(/\d{7,}/g, '#').slice(0, 300),
    setAsideAt: reject.at,
  };
}

const gzipAsync = promisify(gzip);
const compressed = new WeakMap<FeedPageBytes, Promise<Buffer>>();

/**
 * A full page's body without a total, gzipped — once per page object, so a page held in the
 * cache (or built ahead) is compressed once however many terminals read it. Level 1: on a page of
 * feed JSON it keeps most of the size gain for a fraction of the default level's time. A page
 * object belongs to one feed (the cache keys pages by store or `chain`), so `feed` is always the
 * same for it.
 */
function gzipped(page: FeedPageBytes, feed: CustomerFeedId): Promise<Buffer> {
  let body = compressed.get(page);
  if (!body) {
    body = gzipAsync(pageBody(page, feed, undefined), { level: 1 });
    compressed.set(page, body);
  }
  return body;
}

/** Whether the client takes a gzip body (`Accept-Encoding`, without `gzip;q=0`). */
const acceptsGzip = (request: FastifyRequest): boolean =>
  listed(request.headers['accept-encoding'], (name) => name === 'gzip' || name === '*');

/** Whether the client asks for a packed answer by name (`Accept`, without `;q=0`); not by `*\/*`. */
const acceptsPacked = (request: FastifyRequest): boolean =>
  listed(request.headers.accept, (name) => name === PACKED_JSON);

/** Whether a comma-separated header lists a value `matches` takes with a weight above 0. */
function listed(header: string | string[] | undefined, matches: (name: string) => boolean) {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  return value.split(',').some((part) => {
    const [name, ...options] = part.trim().toLowerCase().split(';');
    if (name === undefined || !matches(name.trim())) return false;
    return !options.some((o) => /^\s*q\s*=\s*0(\.0*)?\s*$/.test(o));
  });
}

/**
 * `{"items":[…],"cursor":"…","hasMore":…,"feed":"…","total":…}`, the same bytes `JSON.stringify`
 * gives.
 */
function pageBody(page: FeedPageBytes, feed: CustomerFeedId, total: number | undefined): Buffer {
  const tail = `,"cursor":${JSON.stringify(page.cursor)},"hasMore":${page.hasMore},"feed":${JSON.stringify(feed)}${total === undefined ? '' : `,"total":${total}`}}`;
  return Buffer.concat([Buffer.from('{"items":'), page.itemsJson, Buffer.from(tail)]);
}
