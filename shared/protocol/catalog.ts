import { z } from 'zod';
import { fen, nonEmpty, sku, text, uuid } from './common';
import { stockUnits, unitPriceFen } from './numbers';

/** A product as a terminal caches it, with this store's stock. */
export const productItem = z.object({
  id: uuid,
  seq: z.string(),
  sku,
  barcode: z.string().nullable(),
  name: z.string(),
  category: z.string(),
  size: z.string().nullable(),
  colour: z.string().nullable(),
  /** `fen`, not `unitPriceFen`: products priced before the limit existed still sync */
  price: fen,
  stock: stockUnits,
  active: z.boolean(),
});
export type ProductItem = z.infer<typeof productItem>;

/** Catalog upsert from head office (idempotent by SKU); `stock` maps store id → units. */
export const productUpsert = z.object({
  sku,
  barcode: text.trim().min(4).max(64).optional(),
  name: nonEmpty(128),
  category: nonEmpty(64),
  size: text.max(16).optional(),
  colour: text.max(32).optional(),
  price: unitPriceFen,
  active: z.boolean().default(true),
  stock: z.record(uuid, stockUnits).default({}),
});
export type ProductUpsert = z.infer<typeof productUpsert>;
export const productUpsertRequest = z.object({ products: z.array(productUpsert).min(1).max(5000) });
