import type { ProductItem, StaffMember } from '../../shared/protocol';
import { PRODUCT_ITEM_COLUMNS, rowToProductItem, type ProductItemRow } from '../catalog/service';
import type { Queryable } from '../db/database';

/** One page of a change feed, as `GET /api/v1/sync/*` answers it. */
export type FeedPage<T> = { items: T[]; cursor: string; hasMore: boolean; total?: number };

/**
 * Builds a page from up to `limit + 1` rows in seq order: the extra row only says there is more.
 * An empty page keeps the caller's cursor, so a terminal never moves past rows it has not seen.
 */
function toPage<R extends { seq: string }, T>(
  rows: R[],
  limit: number,
  after: string,
  total: number | undefined,
  map: (row: R) => T,
): FeedPage<T> {
  const hasMore = rows.length > limit;
  const kept = hasMore ? rows.slice(0, limit) : rows;
  const page: FeedPage<T> = { items: kept.map(map), cursor: kept.at(-1)?.seq ?? after, hasMore };
  if (total !== undefined) page.total = total;
  return page;
}

/** Paging options of a feed request; `withTotal: false` skips the remaining-rows count. */
export type FeedOptions = { after: string; limit: number; withTotal: boolean };

/**
 * Customer feed rows after a cursor, for the progress bar's `total`. Counted separately (an
 * index-only range count): a window count would force the database to read every remaining row on
 * every page. Rows committed in between only make it an estimate, which is all a progress bar needs.
 */
export async function customersAfter(db: Queryable, after: string): Promise<number> {
  const rows = await db.query<{ n: number }>(
    'select count(*)::int as n from customers where seq > $1::bigint',
    [after],
  );
  return rows[0]?.n ?? 0;
}

/** Settings key bumped by every erasure; the feed page cache empties itself when it moves. */
export const SETTING_CUSTOMER_FEED_EPOCH = 'customer_feed_epoch';

export async function customerFeedEpoch(db: Queryable): Promise<string> {
  const rows = await db.query<{ value: string }>('select value from settings where key = $1', [
    SETTING_CUSTOMER_FEED_EPOCH,
  ]);
  return rows[0]?.value ?? '0';
}

/** Moves the epoch on, inside the erasing transaction. */
export async function bumpCustomerFeedEpoch(db: Queryable): Promise<void> {
  await db.query(
    `insert into settings(key, value) values ($1, '1')
     on conflict (key) do update set value = (settings.value::bigint + 1)::text`,
    [SETTING_CUSTOMER_FEED_EPOCH],
  );
}

/** This store's catalog (every product with this store's stock) changed after `after`. */
export async function catalogFeedPage(
  db: Queryable,
  storeId: string,
  { after, limit, withTotal }: FeedOptions,
): Promise<FeedPage<ProductItem>> {
  const rows = await db.query<ProductItemRow>(
    `select ${PRODUCT_ITEM_COLUMNS}
     from store_products sp join products p on p.id = sp.product_id
     where sp.store_id = $1 and sp.seq > $2::bigint order by sp.seq limit $3`,
    [storeId, after, limit + 1],
  );
  const total = !withTotal
    ? undefined
    : rows.length <= limit
      ? rows.length
      : ((
          await db.query<{ n: number }>(
            'select count(*)::int as n from store_products where store_id = $1 and seq > $2::bigint',
            [storeId, after],
          )
        )[0]?.n ?? 0);
  return toPage(rows, limit, after, total, rowToProductItem);
}

/**
 * A store's guides (inactive ones too, so a terminal locks them out) with PIN hashes for offline
 * sign-in. Small enough to send whole every time.
 */
export async function storeStaff(db: Queryable, storeId: string): Promise<StaffMember[]> {
  const rows = await db.query<{
    id: string;
    store_id: string;
    name: string;
    role: StaffMember['role'];
    pin_hash: string;
    active: boolean;
  }>(
    'select id, store_id, name, role, pin_hash, active from guides where store_id = $1 order by name, id',
    [storeId],
  );
  return rows.map((r) => ({
    id: r.id,
    storeId: r.store_id,
    name: r.name,
    role: r.role,
    pinHash: r.pin_hash,
    active: r.active,
  }));
}
