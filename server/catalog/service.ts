import { newId } from '../../shared/domain/ids';
import type { ItemResult, ProductItem, ProductUpsert } from '../../shared/protocol';
import { lockChangeFeed, type Db, type Queryable } from '../db/database';
import { maxCursor, type BatchOutcome } from '../customers/identity';

type ProductRow = {
  id: string;
  barcode: string | null;
  name: string;
  category: string;
  size: string | null;
  colour: string | null;
  price: string;
  active: boolean;
};

type Outcome = { result: ItemResult; seq: string | null };

const sameProduct = (row: ProductRow, item: ProductUpsert): boolean =>
  row.barcode === (item.barcode ?? null) &&
  row.name === item.name &&
  row.category === item.category &&
  row.size === (item.size ?? null) &&
  row.colour === (item.colour ?? null) &&
  Number(row.price) === item.price &&
  row.active === item.active;

async function upsertOne(
  tx: Queryable,
  item: ProductUpsert,
  storeIds: ReadonlySet<string>,
): Promise<Outcome> {
  const id = item.sku;
  const unknown = Object.keys(item.stock).filter((s) => !storeIds.has(s));
  if (unknown.length > 0)
    return { result: { id, status: 'rejected', reason: `unknown store ${unknown[0]}` }, seq: null };
  const [existing] = await tx.query<ProductRow>(
    `select id, barcode, name, category, size, colour, price::text as price, active
     from products where sku = $1`,
    [item.sku],
  );
  if (item.barcode) {
    const holder = await tx.query<{ sku: string }>('select sku from products where barcode = $1', [
      item.barcode,
    ]);
    if (holder[0] && holder[0].sku !== item.sku)
      return {
        result: { id, status: 'rejected', reason: `barcode already used by ${holder[0].sku}` },
        seq: null,
      };
  }
  const stock = JSON.stringify(item.stock);
  const params = [
    item.sku,
    item.barcode ?? null,
    item.name,
    item.category,
    item.size ?? null,
    item.colour ?? null,
    item.price,
    item.active,
  ];

  if (!existing) {
    const productId = newId();
    await tx.query(
      `insert into products(id, sku, barcode, name, category, size, colour, price, active)
       values ($9, $1, $2, $3, $4, $5, $6, $7, $8)`,
      [...params, productId],
    );
    // Every store gets a row, so the product reaches every store's feed (stock 0 if not given).
    const rows = await tx.query<{ seq: string }>(
      `insert into store_products(store_id, product_id, stock, seq)
       select s.id, $1, coalesce(($2::jsonb ->> s.id::text)::int, 0), nextval('change_seq')
       from stores s order by s.id
       on conflict do nothing
       returning seq::text as seq`,
      [productId, stock],
    );
    return { result: { id, status: 'accepted' }, seq: highest(rows) };
  }

  if (!sameProduct(existing, item)) {
    await tx.query(
      `update products set barcode = $2, name = $3, category = $4, size = $5, colour = $6,
         price = $7, active = $8, updated_at = now() where sku = $1`,
      params,
    );
    // A product change is news to every store: bump all its rows.
    const rows = await tx.query<{ seq: string }>(
      `update store_products sp set seq = nextval('change_seq'),
         stock = coalesce(($2::jsonb ->> sp.store_id::text)::int, sp.stock)
       where sp.product_id = $1
       returning seq::text as seq`,
      [existing.id, stock],
    );
    return { result: { id, status: 'accepted' }, seq: highest(rows) };
  }

  // Only stock may have moved: bump just the stores whose count changed.
  const rows = await tx.query<{ seq: string }>(
    `update store_products sp set seq = nextval('change_seq'),
       stock = ($2::jsonb ->> sp.store_id::text)::int
     where sp.product_id = $1 and $2::jsonb ? sp.store_id::text
       and sp.stock is distinct from ($2::jsonb ->> sp.store_id::text)::int
     returning seq::text as seq`,
    [existing.id, stock],
  );
  if (rows.length === 0) return { result: { id, status: 'duplicate' }, seq: null };
  return { result: { id, status: 'accepted' }, seq: highest(rows) };
}

function highest(rows: readonly { seq: string }[]): string | null {
  let top: string | null = null;
  for (const r of rows) top = maxCursor(top, r.seq);
  return top;
}

/**
 * Catalog and per-store stock upsert from head office, idempotent by SKU: a re-send that changes
 * nothing answers `duplicate` and moves nothing in the feeds. One transaction under the
 * change-feed lock; `cursor` is the highest sequence written, for `catalog:changed`.
 */
export async function upsertProducts(
  db: Db,
  items: readonly ProductUpsert[],
): Promise<BatchOutcome> {
  return db.transaction(async (tx) => {
    await lockChangeFeed(tx);
    const storeIds = new Set(
      (await tx.query<{ id: string }>('select id from stores')).map((r) => r.id),
    );
    const results: ItemResult[] = [];
    let cursor: string | null = null;
    for (const item of items) {
      const outcome = await upsertOne(tx, item, storeIds);
      results.push(outcome.result);
      cursor = maxCursor(cursor, outcome.seq);
    }
    return { results, cursor };
  });
}

/** The select list for one store's catalog feed (alias `sp` for store_products, `p` products). */
export const PRODUCT_ITEM_COLUMNS = `p.id, sp.seq::text as seq, p.sku, p.barcode, p.name, p.category,
  p.size, p.colour, p.price::text as price, sp.stock, p.active`;

export type ProductItemRow = Omit<ProductItem, 'price' | 'stock'> & {
  price: string;
  stock: number;
};

export const rowToProductItem = (row: ProductItemRow): ProductItem => ({
  ...row,
  price: Number(row.price),
  stock: Number(row.stock),
});
