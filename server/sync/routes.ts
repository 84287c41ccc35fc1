import type { FastifyInstance } from 'fastify';
import {
  feedQuery,
  type CustomerFeedItem,
  type ProductItem,
  type StaffMember,
} from '../../shared/protocol';
import { requireTerminal } from '../auth/guards';
import type { HubContext } from '../context';
import { badRequest, parseInput } from '../http/errors';
import {
  catalogFeedPage,
  customerFeedPage,
  storeStaff,
  type FeedOptions,
  type FeedPage,
} from './feeds';

const MAX_BIGINT = 2n ** 63n - 1n;

/** The feed query, with cursors that fit the database's bigint (19 digits can overflow it). */
function feedParams(query: unknown): FeedOptions {
  const params = parseInput(feedQuery, query, 'query');
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

  api.get('/sync/customers', async (request): Promise<FeedPage<CustomerFeedItem>> => {
    await requireTerminal(db, request);
    return customerFeedPage(db, feedParams(request.query));
  });

  api.get('/sync/catalog', async (request): Promise<FeedPage<ProductItem>> => {
    const terminal = await requireTerminal(db, request);
    return catalogFeedPage(db, terminal.storeId, feedParams(request.query));
  });

  api.get('/sync/staff', async (request): Promise<{ items: StaffMember[] }> => {
    const terminal = await requireTerminal(db, request);
    return { items: await storeStaff(db, terminal.storeId) };
  });
}
