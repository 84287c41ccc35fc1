import type { ProductItem } from '../../shared/protocol';
import type { TerminalDb } from './database';
import { heldUnits, withHolds } from './stock-holds';

/*
 * Every product read here for the UI carries this store's stock as the guide should see it: the
 * hub's last figure less this terminal's own sales the hub's figure does not include yet
 * (stock-holds.ts). The figure may be negative (head office's books); screens show it through
 * `shownStock` (never below zero).
 */

/** Applies catalog feed rows inside the caller's transaction (products + syncState). */
export async function applyProductItems(
  db: TerminalDb,
  items: readonly ProductItem[],
): Promise<void> {
  if (items.length === 0) return;
  // A SKU is unique; a product re-created under a new id must replace the old row first.
  const skus = items.map((p) => p.sku);
  const clashing = await db.products.where('sku').anyOf(skus).toArray();
  const ids = new Set(items.map((p) => p.id));
  const stale = clashing.filter((p) => !ids.has(p.id)).map((p) => p.id);
  if (stale.length > 0) await db.products.bulkDelete(stale);
  await db.products.bulkPut(items);
}

/** A scanned or typed code: SKU first, then barcode. Inactive products are still found (returns). */
export async function findProductByCode(
  db: TerminalDb,
  code: string,
): Promise<ProductItem | undefined> {
  const trimmed = code.trim();
  if (trimmed.length === 0) return undefined;
  const product =
    (await db.products.where('sku').equals(trimmed).first()) ??
    (await db.products.where('barcode').equals(trimmed).first());
  return product && withHolds(product, await heldUnits(db));
}

/** Products of the cached catalog by SKU (stock here for a customer's online trail). */
export async function productsBySku(
  db: TerminalDb,
  skus: readonly string[],
): Promise<Map<string, ProductItem>> {
  if (skus.length === 0) return new Map();
  const rows = await db.products
    .where('sku')
    .anyOf([...new Set(skus)])
    .toArray();
  const held = await heldUnits(db);
  return new Map(rows.map((p) => [p.sku, withHolds(p, held)]));
}

/**
 * Every cached SKU of the styles of `products` (each product's colours and sizes), by style code,
 * with stock as the guide should see it. A product without a style code is a style of its own.
 */
export async function styleSiblings(
  db: TerminalDb,
  products: readonly ProductItem[],
): Promise<Map<string, ProductItem[]>> {
  const codes = [...new Set(products.flatMap((p) => (p.styleCode ? [p.styleCode] : [])))];
  if (codes.length === 0) return new Map();
  const rows = await db.products.where('styleCode').anyOf(codes).toArray();
  const held = await heldUnits(db);
  const byStyle = new Map<string, ProductItem[]>();
  for (const p of rows) {
    const list = byStyle.get(p.styleCode!) ?? [];
    list.push(withHolds(p, held));
    byStyle.set(p.styleCode!, list);
  }
  return byStyle;
}

/**
 * Free-text search of the cached catalog: SKU prefix first (indexed), then names containing the
 * text. Only active products: a guide searching is choosing something to sell.
 */
export async function searchCatalog(
  db: TerminalDb,
  text: string,
  limit = 8,
): Promise<ProductItem[]> {
  const query = text.trim();
  if (query.length === 0) return [];
  const bySku = await db.products.where('sku').startsWithIgnoreCase(query).limit(limit).toArray();
  const found = new Map(bySku.filter((p) => p.active).map((p) => [p.id, p]));
  if (found.size < limit) {
    const lower = query.toLowerCase();
    const byName = await db.products
      .filter((p) => p.active && !found.has(p.id) && p.name.toLowerCase().includes(lower))
      .limit(limit - found.size)
      .toArray();
    for (const p of byName) found.set(p.id, p);
  }
  const held = await heldUnits(db);
  return [...found.values()].map((p) => withHolds(p, held));
}

/** The cached products of some SKUs and every SKU of their styles, read in one go. */
export async function productsWithStyles(
  db: TerminalDb,
  skus: readonly string[],
): Promise<{ products: Map<string, ProductItem>; styles: Map<string, ProductItem[]> }> {
  const products = await productsBySku(db, skus);
  return { products, styles: await styleSiblings(db, [...products.values()]) };
}

/**
 * The part of the cached catalog next-best items rank (#16 item 5): the styles of the SKUs she
 * showed interest in or bought, and every active product of `categories` (her favourite and
 * bought categories; one pass over the table, no index needed), with stock as the guide sees it.
 */
export async function nextBestCandidates(
  db: TerminalDb,
  skus: readonly string[],
  favouriteCategories: readonly string[],
): Promise<ProductItem[]> {
  const { products, styles } = await productsWithStyles(db, skus);
  const categories = new Set([
    ...favouriteCategories,
    ...[...products.values()].map((p) => p.category),
  ]);
  const held = await heldUnits(db);
  const inCategories = await db.products
    .filter((p) => p.active && categories.has(p.category))
    .toArray();
  const out = new Map<string, ProductItem>();
  for (const p of [...products.values(), ...[...styles.values()].flat()]) out.set(p.sku, p);
  for (const p of inCategories) if (!out.has(p.sku)) out.set(p.sku, withHolds(p, held));
  return [...out.values()];
}
