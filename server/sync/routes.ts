import type { FastifyInstance } from 'fastify';
import {
  feedQuery,
  type CustomerFeedItem,
  type ProductItem,
  type StaffMember,
} from '../../shared/protocol';
import { requireTerminal } from '../auth/guards';
import { PRODUCT_ITEM_COLUMNS, rowToProductItem, type ProductItemRow } from '../catalog/service';
import type { HubContext } from '../context';
import { CUSTOMER_COLUMNS, rowToFeedItem, type CustomerRow } from '../customers/profile';
import { parseInput } from '../http/errors';

type Page<T> = { items: T[]; cursor: string; hasMore: boolean; total: number };

/**
 * Builds a page from `limit + 1` rows in seq order: the extra row only tells whether there is more.
 * An empty page keeps the caller's cursor, so a terminal never moves past rows it has not seen.
 */
function page<R extends { seq: string }, T>(
  rows: R[],
  limit: number,
  after: string,
  total: number,
  map: (row: R) => T,
): Page<T> {
  const hasMore = rows.length > limit;
  const kept = hasMore ? rows.slice(0, limit) : rows;
  return {
    items: kept.map(map),
    cursor: kept.at(-1)?.seq ?? after,
    hasMore,
    total,
  };
}

/**
 * Terminal pull feeds. Each pages by the server's change sequence (never the terminal's clock);
 * writers draw sequence numbers under the change-feed lock, so a row can never commit behind a
 * cursor a reader has already passed.
 */
export function registerSyncRoutes(api: FastifyInstance, ctx: HubContext): void {
  const { db } = ctx;

  // Scope decision: the whole chain's customers, not just this store's. Members walk into any
  // store, and the guide must recognise them (尾号 lookup, member QR, arrival card) offline too.
  // Tombstones travel in the same feed so a terminal drops merged and deleted people.
  api.get('/sync/customers', async (request): Promise<Page<CustomerFeedItem>> => {
    await requireTerminal(db, request);
    const { after, limit } = parseInput(feedQuery, request.query, 'query');
    // Rows and the remaining count in one statement, so both see the same snapshot.
    const rows = await db.query<CustomerRow & { remaining: number }>(
      `select ${CUSTOMER_COLUMNS}, count(*) over ()::int as remaining
       from customers c where c.seq > $1::bigint order by c.seq limit $2`,
      [after, limit + 1],
    );
    const total = rows[0]?.remaining ?? 0;
    return page(rows, limit, after, total, rowToFeedItem);
  });

  api.get('/sync/catalog', async (request): Promise<Page<ProductItem>> => {
    const terminal = await requireTerminal(db, request);
    const { after, limit } = parseInput(feedQuery, request.query, 'query');
    const rows = await db.query<ProductItemRow & { remaining: number }>(
      `select ${PRODUCT_ITEM_COLUMNS}, count(*) over ()::int as remaining
       from store_products sp join products p on p.id = sp.product_id
       where sp.store_id = $1 and sp.seq > $2::bigint order by sp.seq limit $3`,
      [terminal.storeId, after, limit + 1],
    );
    const total = rows[0]?.remaining ?? 0;
    return page(rows, limit, after, total, ({ remaining: _r, ...row }) => rowToProductItem(row));
  });

  // Staff is small (a store's guides): always the whole list, with PIN hashes for offline sign-in.
  api.get('/sync/staff', async (request): Promise<{ items: StaffMember[] }> => {
    const terminal = await requireTerminal(db, request);
    const rows = await db.query<{
      id: string;
      store_id: string;
      name: string;
      role: StaffMember['role'];
      pin_hash: string;
      active: boolean;
    }>(
      'select id, store_id, name, role, pin_hash, active from guides where store_id = $1 order by name, id',
      [terminal.storeId],
    );
    return {
      items: rows.map((r) => ({
        id: r.id,
        storeId: r.store_id,
        name: r.name,
        role: r.role,
        pinHash: r.pin_hash,
        active: r.active,
      })),
    };
  });
}
