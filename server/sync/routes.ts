import type { FastifyInstance } from 'fastify';
import {
  endpoints,
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
  const scoped = ctx.config.customerFeedScope === 'store';
  onEndpoint(api, endpoints.syncCustomers, async ({ request, reply, query }) => {
    const params = feedParams(query);
    const storeId = scoped ? terminalOf(request).storeId : null;
    if (cache.enabled) cache.checkEpoch(await customerFeedEpoch(db));
    // `x-feed-stored: 4998/5000` on a page this request built: rows copied from stored feed JSON
    // (see feed-json.ts) out of the page's rows; the rest were mapped live.
    let stored: string | null = null;
    const key = `${storeId ?? 'chain'}:${params.after}:${params.limit}`;
    const { page, hit } = await cache.getOrBuild(key, async () => {
      const built = storeId
        ? await storeCustomerFeedPage(db, storeId, params)
        : await customerFeedPage(db, params);
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
    return reply
      .type('application/json; charset=utf-8')
      .header('x-feed-cache', hit ? 'hit' : 'miss')
      .headers(stored === null ? {} : { 'x-feed-stored': stored })
      .send(pageBody(page, total));
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

/** `{"items":[…],"cursor":"…","hasMore":…,"total":…}`, the same bytes `JSON.stringify` gives. */
function pageBody(page: FeedPageBytes, total: number | undefined): Buffer {
  const tail = `,"cursor":${JSON.stringify(page.cursor)},"hasMore":${page.hasMore}${total === undefined ? '' : `,"total":${total}`}}`;
  return Buffer.concat([Buffer.from('{"items":'), page.itemsJson, Buffer.from(tail)]);
}
