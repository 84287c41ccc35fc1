import { newId } from '../../shared/domain/ids';
import { sizeKindForCategory, type SizeKind } from '../../shared/domain/styles';
import type { ItemResult, ProductItem, ProductUpsert } from '../../shared/protocol';
import { changeFeedTransaction, type Db, type Queryable } from '../db/database';
import { maxCursor, type BatchOutcome } from '../customers/identity';
import { isoSql } from '../customers/profile';

/** A product as the batch sees it: the database's state plus the batch's own earlier items. */
type ProductState = {
  id: string;
  sku: string;
  barcode: string | null;
  name: string;
  category: string;
  size: string | null;
  colour: string | null;
  style_code: string | null;
  size_kind: SizeKind | null;
  price: number;
  active: boolean;
  launched_at: string | null;
  /** store id → units */
  stock: Map<string, number>;
  isNew: boolean;
  /** product fields changed: every store's row moves in the feed */
  changed: boolean;
  barcodeChanged: boolean;
  /** stores whose stock alone changed */
  stockChanged: Set<string>;
};

/**
 * The product columns an upsert sets (the size kind follows the category when left out; a launch
 * date left out keeps the one the product has — a new one is launched when first written).
 */
const fieldsOf = (item: ProductUpsert, launchedBefore: string | null) => ({
  barcode: item.barcode ?? null,
  name: item.name,
  category: item.category,
  size: item.size ?? null,
  colour: item.colour ?? null,
  style_code: item.styleCode ?? null,
  size_kind: item.sizeKind ?? sizeKindForCategory(item.category),
  price: item.price,
  active: item.active,
  launched_at: item.launchedAt ? new Date(item.launchedAt).toISOString() : launchedBefore,
});

const sameProduct = (state: ProductState, fields: ReturnType<typeof fieldsOf>): boolean =>
  (Object.keys(fields) as (keyof typeof fields)[]).every((k) => state[k] === fields[k]);

type BatchState = {
  storeIds: string[];
  bySku: Map<string, ProductState>;
  /** barcode → SKU holding it */
  barcodes: Map<string, string>;
};

async function loadBatchState(tx: Queryable, items: readonly ProductUpsert[]): Promise<BatchState> {
  const storeIds = (await tx.query<{ id: string }>('select id from stores order by id')).map(
    (r) => r.id,
  );
  const products = await tx.query<{
    id: string;
    sku: string;
    barcode: string | null;
    name: string;
    category: string;
    size: string | null;
    colour: string | null;
    style_code: string | null;
    size_kind: SizeKind | null;
    price: string;
    active: boolean;
    launched_at: string | null;
  }>(
    `select id, sku, barcode, name, category, size, colour, style_code, size_kind,
            price::text as price, active, ${isoSql('launched_at')} as launched_at
     from products where sku = any($1::text[]) or barcode = any($2::text[])`,
    [items.map((i) => i.sku), items.flatMap((i) => (i.barcode ? [i.barcode] : []))],
  );
  const stock = await tx.query<{ product_id: string; store_id: string; stock: number }>(
    'select product_id, store_id, stock from store_products where product_id = any($1::uuid[])',
    [products.map((p) => p.id)],
  );
  const stockOf = new Map<string, Map<string, number>>();
  for (const row of stock) {
    const map = stockOf.get(row.product_id) ?? new Map<string, number>();
    map.set(row.store_id, Number(row.stock));
    stockOf.set(row.product_id, map);
  }
  const state: BatchState = { storeIds, bySku: new Map(), barcodes: new Map() };
  for (const p of products) {
    state.bySku.set(p.sku, {
      ...p,
      price: Number(p.price),
      stock: stockOf.get(p.id) ?? new Map(),
      isNew: false,
      changed: false,
      barcodeChanged: false,
      stockChanged: new Set(),
    });
    if (p.barcode) state.barcodes.set(p.barcode, p.sku);
  }
  return state;
}

/** Decides one item against the batch's evolving state; writes happen later, in bulk. */
function decide(state: BatchState, item: ProductUpsert): ItemResult {
  const id = item.sku;
  const unknown = Object.keys(item.stock).filter((s) => !state.storeIds.includes(s));
  if (unknown.length > 0) return { id, status: 'rejected', reason: `unknown store ${unknown[0]}` };
  const holder = item.barcode ? state.barcodes.get(item.barcode) : undefined;
  if (holder && holder !== item.sku)
    return { id, status: 'rejected', reason: `barcode already used by ${holder}` };

  const existing = state.bySku.get(item.sku);
  const fields = fieldsOf(item, existing?.launched_at ?? null);
  if (!existing) {
    // Every store gets a row, so the product reaches every store's feed (0 units if not given).
    const stock = new Map(state.storeIds.map((s) => [s, item.stock[s] ?? 0]));
    state.bySku.set(item.sku, {
      id: newId(),
      sku: item.sku,
      ...fields,
      stock,
      isNew: true,
      changed: false,
      barcodeChanged: false,
      stockChanged: new Set(),
    });
    if (fields.barcode) state.barcodes.set(fields.barcode, item.sku);
    return { id, status: 'accepted' };
  }
  const productChanged = !sameProduct(existing, fields);
  const stockMoves = Object.entries(item.stock).filter(([s, n]) => existing.stock.get(s) !== n);
  if (!productChanged && stockMoves.length === 0) return { id, status: 'duplicate' };
  if (existing.barcode !== fields.barcode) {
    if (existing.barcode && state.barcodes.get(existing.barcode) === item.sku)
      state.barcodes.delete(existing.barcode);
    if (fields.barcode) state.barcodes.set(fields.barcode, item.sku);
    existing.barcodeChanged = true;
  }
  Object.assign(existing, fields);
  for (const [s, n] of stockMoves) {
    existing.stock.set(s, n);
    existing.stockChanged.add(s);
  }
  if (productChanged) existing.changed = true;
  return { id, status: 'accepted' };
}

const productRecord = (p: ProductState) => ({
  id: p.id,
  sku: p.sku,
  barcode: p.barcode,
  name: p.name,
  category: p.category,
  size: p.size,
  colour: p.colour,
  style_code: p.style_code,
  size_kind: p.size_kind,
  price: p.price,
  active: p.active,
  launched_at: p.launched_at,
});
const RECORD_COLUMNS = `x(id uuid, sku text, barcode text, name text, category text, size text,
  colour text, style_code text, size_kind text, price bigint, active boolean,
  launched_at timestamptz)`;

/** Writes the batch's decisions in a fixed number of statements; returns the highest seq drawn. */
async function writeBatch(tx: Queryable, state: BatchState): Promise<string | null> {
  const all = [...state.bySku.values()];
  const updated = all.filter((p) => !p.isNew && p.changed);
  const created = all.filter((p) => p.isNew);
  let cursor: string | null = null;

  if (updated.length > 0) {
    // Barcodes that move between products would collide mid-statement: clear them first (the
    // decisions above guarantee the final set is unique).
    const moving = updated.filter((p) => p.barcodeChanged).map((p) => p.id);
    if (moving.length > 0)
      await tx.query('update products set barcode = null where id = any($1::uuid[])', [moving]);
    await tx.query(
      `update products p set barcode = x.barcode, name = x.name, category = x.category,
         size = x.size, colour = x.colour, style_code = x.style_code, size_kind = x.size_kind,
         price = x.price, active = x.active,
         launched_at = coalesce(x.launched_at, p.launched_at), updated_at = now()
       from jsonb_to_recordset($1::jsonb) as ${RECORD_COLUMNS}
       where p.id = x.id`,
      [JSON.stringify(updated.map(productRecord))],
    );
  }
  // Feed rows to move: every store's row for a changed product, only the moved stores otherwise.
  const moves = all
    .filter((p) => !p.isNew)
    .flatMap((p) =>
      [...(p.changed ? p.stock.keys() : p.stockChanged)].map((storeId) => ({
        product_id: p.id,
        store_id: storeId,
        stock: p.stock.get(storeId) ?? 0,
      })),
    );
  if (moves.length > 0) {
    const [row] = await tx.query<{ seq: string | null }>(
      `with moved as (
         update store_products sp set stock = x.stock, seq = nextval('change_seq')
         from jsonb_to_recordset($1::jsonb) as x(product_id uuid, store_id uuid, stock integer)
         where sp.product_id = x.product_id and sp.store_id = x.store_id
         returning sp.seq)
       select max(seq)::text as seq from moved`,
      [JSON.stringify(moves)],
    );
    cursor = maxCursor(cursor, row?.seq ?? null);
  }
  if (created.length > 0) {
    await tx.query(
      `insert into products(id, sku, barcode, name, category, size, colour, style_code, size_kind,
                            price, active, launched_at)
       select x.id, x.sku, x.barcode, x.name, x.category, x.size, x.colour, x.style_code,
              x.size_kind, x.price, x.active, coalesce(x.launched_at, now())
       from jsonb_to_recordset($1::jsonb) as ${RECORD_COLUMNS}`,
      [JSON.stringify(created.map(productRecord))],
    );
    const [row] = await tx.query<{ seq: string | null }>(
      `with inserted as (
         insert into store_products(store_id, product_id, stock, seq)
         select x.store_id, x.product_id, x.stock, nextval('change_seq')
         from jsonb_to_recordset($1::jsonb) as x(product_id uuid, store_id uuid, stock integer)
         on conflict do nothing
         returning seq)
       select max(seq)::text as seq from inserted`,
      [
        JSON.stringify(
          created.flatMap((p) =>
            [...p.stock].map(([storeId, stock]) => ({
              product_id: p.id,
              store_id: storeId,
              stock,
            })),
          ),
        ),
      ],
    );
    cursor = maxCursor(cursor, row?.seq ?? null);
  }
  return cursor;
}

/**
 * Catalog and per-store stock upsert from head office, idempotent by SKU: a re-send that changes
 * nothing answers `duplicate` and moves nothing in the feeds. A product change moves the product
 * in every store's feed; a stock change only in the stores whose count moved. One transaction
 * under the change-feed lock, a fixed handful of statements per batch (a full catalog is
 * thousands of SKUs); `cursor` is the highest sequence written, for `catalog:changed`.
 */
export async function upsertProducts(
  db: Db,
  items: readonly ProductUpsert[],
): Promise<BatchOutcome> {
  return changeFeedTransaction(db, async (tx) => {
    // Store ids compare as text below; the database spells uuids in lower case.
    const normalised = items.map((item) => ({
      ...item,
      stock: Object.fromEntries(
        Object.entries(item.stock).map(([storeId, n]) => [storeId.toLowerCase(), n]),
      ),
    }));
    const state = await loadBatchState(tx, normalised);
    const results = normalised.map((item) => decide(state, item));
    const cursor = await writeBatch(tx, state);
    return { results, cursor };
  });
}

/** The select list for one store's catalog feed (alias `sp` for store_products, `p` products). */
export const PRODUCT_ITEM_COLUMNS = `p.id, sp.seq::text as seq, p.sku, p.barcode, p.name, p.category,
  p.size, p.colour, p.style_code, p.size_kind, p.price::text as price, sp.stock, p.active,
  ${isoSql('p.launched_at')} as launched_at`;

export type ProductItemRow = Omit<
  ProductItem,
  'price' | 'stock' | 'styleCode' | 'sizeKind' | 'launchedAt'
> & {
  style_code: string | null;
  launched_at: string | null;
  size_kind: SizeKind | null;
  price: string;
  stock: number;
};

export const rowToProductItem = ({
  style_code,
  size_kind,
  launched_at,
  ...row
}: ProductItemRow): ProductItem => ({
  ...row,
  styleCode: style_code,
  sizeKind: size_kind,
  launchedAt: launched_at,
  price: Number(row.price),
  stock: Number(row.stock),
});
