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
import { createBatcher, fulfilled, perDatabase } from '../db/batcher';
import { isConnectionError, type Db, type Queryable } from '../db/database';

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

/** A product of a card's online lists, with one store's stock of it (null: never stocked there). */
type ProductStock = { name: string; price: number; stock: number | null };
/** One card's stock read: the SKUs of her online lists, at the store she walked into. */
type StockRequest = { storeId: string; skus: readonly string[] };

/** Cards one stock statement serves at most (each names up to 3 × `ITEMS_PER_LIST` SKUs). */
const CARD_STOCK_BATCH = 100;
/** Stock statements a node runs at once; the cards built meanwhile wait to go together. */
const CARD_STOCK_IN_FLIGHT = 2;

/**
 * The stock of several cards in one statement: each request gets exactly the rows its own SKUs
 * and store would have given alone (an unknown SKU no row; a product its store never stocked a
 * null stock). The lateral keeps each card's read what it was alone — `products` by its SKU
 * index, `store_products` by its key. A join over all the batch's SKUs at once was planned as a
 * hash join over the whole stock table (the planner cannot count a JSON array's elements) and
 * doubled PostgreSQL's CPU an arrival (docs/benchmarks.md, "cards' stock read together").
 */
async function readCardStock(
  db: Queryable,
  requests: readonly StockRequest[],
): Promise<Map<string, ProductStock>[]> {
  const rows = await db.query<{
    i: number;
    sku: string;
    name: string;
    price: string;
    stock: number | null;
  }>(
    `select (q.i - 1)::int as i, x.*
       from jsonb_array_elements($1::jsonb) with ordinality as q(r, i)
       cross join lateral (
         select p.sku, p.name, p.price::text as price, sp.stock
           from products p
           left join store_products sp
                  on sp.product_id = p.id and sp.store_id = (q.r->>'store')::uuid
          where p.sku in (select jsonb_array_elements_text(q.r->'skus'))) x`,
    [JSON.stringify(requests.map((r) => ({ store: r.storeId, skus: r.skus })))],
  );
  const stocks = requests.map(() => new Map<string, ProductStock>());
  for (const r of rows)
    stocks[r.i]!.set(r.sku, {
      name: r.name,
      price: Number(r.price),
      stock: r.stock === null ? null : Number(r.stock),
    });
  return stocks;
}

/**
 * A node's card stock reads (issue #17): every new visit of a member with an online trail reads
 * her items' stock, and at the 11.11 peak that was the one presence statement still paid per
 * arrival — a round trip, a commit and a backend's wake-up each. Now the cards built while a
 * node's `CARD_STOCK_IN_FLIGHT` reads are under way share the next one (no timer: a card on a
 * quiet node reads at once, alone, as before). A failed statement fails the cards it carried.
 */
const cardStock = perDatabase((db: Db) =>
  createBatcher<StockRequest, Map<string, ProductStock>>(
    async (requests) => fulfilled(await readCardStock(db, requests)),
    {
      maxBatch: CARD_STOCK_BATCH,
      inFlight: CARD_STOCK_IN_FLIGHT,
      failsWaiting: isConnectionError,
    },
  ),
);

/**
 * Builds the arrival card for a customer walking into `storeId`: profile basics plus the online
 * trail, each item with this store's stock and price so the guide knows at once what is on hand.
 */
export async function buildCustomerCard(
  db: Db,
  storeId: string,
  customer: CardCustomerRow,
): Promise<CustomerCard> {
  const online = onlinePart.parse(customer.online ?? {});
  const inStore = inStorePart.parse(customer.in_store ?? {});
  const viewed = newestFirst(online.viewed);
  const carted = newestFirst(online.carted);
  const wishlisted = newestFirst(online.wishlisted);

  const skus = [...new Set([...viewed, ...carted, ...wishlisted].map((i) => i.sku))];
  const stock =
    skus.length > 0 ? await cardStock(db)({ storeId, skus }) : new Map<string, ProductStock>();
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
