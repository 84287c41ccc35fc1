import type { ProductItem } from '../../shared/protocol';
import type { TerminalDb } from '../data/database';

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
