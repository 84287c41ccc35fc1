import { z } from 'zod';
import { clampTo, MAX_SPEND_FEN, saturatingAdd } from '../../shared/domain/limits';
import { phoneLast4 } from '../../shared/domain/phone';
import {
  behaviourItem,
  purchaseSummary,
  sizes,
  tier,
  type BehaviourItem,
  type CustomerCard,
  type StockedItem,
} from '../../shared/protocol';
import type { Queryable } from '../db/database';

/** The card is what a guide reads in seconds while greeting: keep each list short. */
const ITEMS_PER_LIST = 8;
const LAST_PURCHASES = 5;

/** The customer columns a card is made of (as selected by `CARD_COLUMNS`). */
export type CardCustomerRow = {
  id: string;
  name: string;
  tier: string;
  phone_e164: string | null;
  sizes: unknown;
  favourite_categories: unknown;
  online: unknown;
  in_store: unknown;
};
export const CARD_COLUMNS =
  'id, name, tier, phone_e164, sizes, favourite_categories, online, in_store';

// The JSON columns are written by other features; read them leniently so one malformed entry
// costs a line on the card, never the alert itself.
const items = z.array(z.unknown()).catch([]);
const onlinePart = z
  .object({
    viewed: items,
    carted: items,
    wishlisted: items,
    onlineSpend: z.number().int().nonnegative().catch(0),
  })
  .partial()
  .catch({});
const inStorePart = z
  .object({ storeSpend: z.number().int().nonnegative().catch(0), lastPurchases: items })
  .partial()
  .catch({});

function newestFirst(list: readonly unknown[] | undefined): BehaviourItem[] {
  const out: BehaviourItem[] = [];
  for (const entry of list ?? []) {
    const parsed = behaviourItem.safeParse(entry);
    if (parsed.success) out.push(parsed.data);
  }
  return out.sort((a, b) => Date.parse(b.at) - Date.parse(a.at)).slice(0, ITEMS_PER_LIST);
}

/**
 * Builds the arrival card for a customer walking into `storeId`: profile basics plus the online
 * trail, each item with this store's stock and price so the guide knows at once what is on hand.
 */
export async function buildCustomerCard(
  db: Queryable,
  storeId: string,
  customer: CardCustomerRow,
): Promise<CustomerCard> {
  const online = onlinePart.parse(customer.online ?? {});
  const inStore = inStorePart.parse(customer.in_store ?? {});
  const viewed = newestFirst(online.viewed);
  const carted = newestFirst(online.carted);
  const wishlisted = newestFirst(online.wishlisted);

  const skus = [...new Set([...viewed, ...carted, ...wishlisted].map((i) => i.sku))];
  const stock = new Map<string, { name: string; price: number; stock: number | null }>();
  if (skus.length > 0) {
    const rows = await db.query<{
      sku: string;
      name: string;
      price: string;
      stock: number | null;
    }>(
      `select p.sku, p.name, p.price::text as price, sp.stock
         from products p
         left join store_products sp on sp.product_id = p.id and sp.store_id = $1
        where p.sku in (select jsonb_array_elements_text($2::jsonb))`,
      [storeId, JSON.stringify(skus)],
    );
    for (const r of rows)
      stock.set(r.sku, {
        name: r.name,
        price: Number(r.price),
        stock: r.stock === null ? null : Number(r.stock),
      });
  }
  const withStock = (list: BehaviourItem[]): StockedItem[] =>
    list.map((item) => {
      const product = stock.get(item.sku);
      return {
        ...item,
        name: item.name ?? product?.name,
        // A product this store has never stocked shows as 0, an unknown SKU as null.
        stockHere: product ? (product.stock ?? 0) : null,
        price: product ? product.price : null,
      };
    });

  const purchases = (inStore.lastPurchases ?? [])
    .map((p) => purchaseSummary.safeParse(p))
    .flatMap((r) => (r.success ? [r.data] : []))
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))
    .slice(0, LAST_PURCHASES);

  return {
    customerId: customer.id,
    name: customer.name,
    tier: tier.catch('regular').parse(customer.tier),
    // the 尾号 only: a card is shown to the whole counter and kept on the terminal for 7 days
    phoneLast4: customer.phone_e164 ? phoneLast4(customer.phone_e164) : null,
    sizes: sizes.catch({}).parse(customer.sizes ?? {}),
    favouriteCategories: z
      .array(z.string())
      .catch([])
      .parse(customer.favourite_categories ?? []),
    viewed: withStock(viewed),
    carted: withStock(carted),
    wishlisted: withStock(wishlisted),
    lastPurchases: purchases,
    lifetimeSpend: saturatingAdd(
      clampTo(online.onlineSpend, MAX_SPEND_FEN),
      clampTo(inStore.storeSpend, MAX_SPEND_FEN),
      MAX_SPEND_FEN,
    ),
  };
}
