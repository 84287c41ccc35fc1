import { z } from 'zod';
import { SIZE_KINDS } from '../domain/styles';
import { fen, isoInstant, nonEmpty, sku, text, uuid } from './common';
import { stockUnits, unitPriceFen } from './numbers';

/** Which of a customer's profile sizes a product is worn in (null: one size, or no size chart). */
export const sizeKind = z.enum(SIZE_KINDS);

/**
 * A style: the SKUs of one design in every colour and size. The code is head office's (e.g.
 * `SGDR01`); a product without one is a style of its own.
 */
export const styleCode = text.trim().min(1).max(64);

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
  /** the style this SKU belongs to; null (also from hubs before styles) when none */
  styleCode: z.string().nullable().default(null),
  /** the profile size it is worn in; an unknown kind from a newer hub reads as none */
  sizeKind: sizeKind.nullable().default(null).catch(null),
  /** `fen`, not `unitPriceFen`: products priced before the limit existed still sync */
  price: fen,
  stock: stockUnits,
  active: z.boolean(),
  /** when it went on sale (新品 for 30 days); null (also from older hubs) when not known */
  launchedAt: isoInstant.nullable().default(null).catch(null),
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
  styleCode: styleCode.optional(),
  /** when left out, guessed from the category (shared/domain/styles.ts, `sizeKindForCategory`) */
  sizeKind: sizeKind.optional(),
  price: unitPriceFen,
  active: z.boolean().default(true),
  stock: z.record(uuid, stockUnits).default({}),
  /** when it goes or went on sale; left out, a new product is launched when the hub first sees it */
  launchedAt: isoInstant.optional(),
});
export type ProductUpsert = z.infer<typeof productUpsert>;
export const productUpsertRequest = z.object({ products: z.array(productUpsert).min(1).max(5000) });

/**
 * `POST /stock/other-stores` `{sku, limit}`: the product in the chain's other stores, nearest
 * first. A read, sent as a body: a SKU is free text, and a body is validated as JSON text whole
 * (a query string's percent-encoding of free text is not).
 */
export const otherStoresStockRequest = z.object({
  sku,
  limit: z.number().int().min(1).max(50).default(10),
});
export const otherStoreStock = z.object({
  storeId: uuid,
  name: z.string(),
  stock: stockUnits,
  /** great-circle distance from this terminal's store, metres (rounded) */
  distanceM: z.number().int().nonnegative(),
});
export type OtherStoreStock = z.infer<typeof otherStoreStock>;
export const otherStoresStock = z.object({
  sku: z.string(),
  /** stores holding at least one unit, nearest first, at most `limit` */
  stores: z.array(otherStoreStock),
});
export type OtherStoresStock = z.infer<typeof otherStoresStock>;
