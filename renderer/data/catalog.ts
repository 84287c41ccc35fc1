import type { ProductItem } from '../../shared/protocol';
import type { TerminalDb } from './database';

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
  return (
    (await db.products.where('sku').equals(trimmed).first()) ??
    (await db.products.where('barcode').equals(trimmed).first())
  );
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
  return new Map(rows.map((p) => [p.sku, p]));
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
  return [...found.values()];
}
