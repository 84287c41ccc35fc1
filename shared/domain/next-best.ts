import { herSizeAnswer, type SizeKind, type StyleProduct } from './styles';

/**
 * Next-best items for the card (issue #16, item 5): the three styles a guide should bring her,
 * each with the reason shown ("心愿单 · M 码有货 3 件", "常买衬衫 · 新品"). Pure and offline: the
 * terminal runs it over the cached profile and catalog; the benchmark replays history with it.
 *
 * A style's score is (online interest + category affinity + newness) × availability here:
 * - interest: each wish-list, cart and view event of any SKU of the style, weighted 3 / 4 / 1 and
 *   halved every 14 days of age (recent interest counts most; a cart is the strongest intent);
 * - affinity: +1 for a favourite category of her profile, +0.8 for a category she bought in store;
 * - newness: +0.8 for a style launched in the last 30 days (新品);
 * - availability: 1 when her size is in stock here, 0.3 when only other sizes are (the guide can
 *   still offer the style), and the style is left out when nothing of it is here.
 * Styles she bought in store in the last 60 days are left out. Ties: the higher interest, then
 * the SKU, so the answer is the same on every terminal.
 */

export const NEXT_BEST_LIMIT = 3;
const HALF_LIFE_DAYS = 14;
const WEIGHTS = { wishlisted: 3, carted: 4, viewed: 1 } as const;
const FAVOURITE_BONUS = 1;
const BOUGHT_CATEGORY_BONUS = 0.8;
const NEW_BONUS = 0.8;
const NEW_FOR_DAYS = 30;
const OTHER_SIZES_FACTOR = 0.3;
const BOUGHT_RECENTLY_DAYS = 60;
const DAY_MS = 86_400_000;

/** A cached catalog row as the ranking reads it. */
export type NextBestProduct = StyleProduct & { price: number; launchedAt: string | null };

type Interest = { sku: string; at: string };

/** The profile fields the ranking reads (a cached customer has them all). */
export type NextBestProfile = {
  sizes: Partial<Record<SizeKind, string | undefined>>;
  favouriteCategories: readonly string[];
  online: {
    viewed: readonly Interest[];
    carted: readonly Interest[];
    wishlisted: readonly Interest[];
  };
  lastPurchases: readonly { at: string; items: readonly { sku: string }[] }[];
};

/** Why an item is suggested, most telling first; the card turns each into words. */
export type NextBestReason =
  | { kind: 'wishlisted' }
  | { kind: 'carted' }
  | { kind: 'viewed'; count: number }
  | { kind: 'favourite'; category: string }
  | { kind: 'boughtCategory'; category: string }
  | { kind: 'new' }
  | { kind: 'herSize'; size: string; stock: number }
  | { kind: 'oneSize'; stock: number }
  | { kind: 'otherSizes' };

export type NextBestItem = {
  styleKey: string;
  /** the SKU to bring: her size (in the colour she looked at when there is one), else the item */
  product: NextBestProduct;
  score: number;
  reasons: NextBestReason[];
};

const styleKeyOf = (p: Pick<StyleProduct, 'sku' | 'styleCode'>) => p.styleCode ?? `sku:${p.sku}`;

/**
 * The top `limit` styles for her, best first. `catalog` is this store's cached catalog (or the
 * part of it holding her interest's styles and her categories); `now` the terminal's clock.
 */
export function nextBestItems(
  profile: NextBestProfile,
  catalog: readonly NextBestProduct[],
  now: Date,
  limit = NEXT_BEST_LIMIT,
): NextBestItem[] {
  const bySku = new Map<string, NextBestProduct>();
  const byStyle = new Map<string, NextBestProduct[]>();
  for (const p of catalog) {
    bySku.set(p.sku, p);
    const key = styleKeyOf(p);
    const list = byStyle.get(key);
    if (list) list.push(p);
    else byStyle.set(key, [p]);
  }

  // Online interest per style: the decayed sum, the strongest kind and the SKU she looked at last.
  const interest = new Map<
    string,
    { score: number; kinds: Set<keyof typeof WEIGHTS>; views: number; last: Interest }
  >();
  for (const kind of ['wishlisted', 'carted', 'viewed'] as const)
    for (const event of profile.online[kind]) {
      const product = bySku.get(event.sku);
      if (!product) continue;
      const ageDays = Math.max(0, (now.getTime() - Date.parse(event.at)) / DAY_MS);
      const weight = WEIGHTS[kind] * 0.5 ** (ageDays / HALF_LIFE_DAYS);
      const key = styleKeyOf(product);
      const entry = interest.get(key) ?? { score: 0, kinds: new Set(), views: 0, last: event };
      entry.score += weight;
      entry.kinds.add(kind);
      if (kind === 'viewed') entry.views += 1;
      if (Date.parse(event.at) >= Date.parse(entry.last.at)) entry.last = event;
      interest.set(key, entry);
    }

  const boughtRecently = new Set<string>();
  const boughtCategories = new Set<string>();
  for (const purchase of profile.lastPurchases)
    for (const item of purchase.items) {
      const product = bySku.get(item.sku);
      if (!product) continue;
      boughtCategories.add(product.category);
      if (now.getTime() - Date.parse(purchase.at) <= BOUGHT_RECENTLY_DAYS * DAY_MS)
        boughtRecently.add(styleKeyOf(product));
    }
  const favourites = new Set(profile.favouriteCategories);

  const ranked: (NextBestItem & { interest: number })[] = [];
  for (const [key, skus] of byStyle) {
    if (boughtRecently.has(key)) continue;
    const seen = interest.get(key);
    const lead = (seen ? bySku.get(seen.last.sku) : undefined) ?? skus[0]!;
    const favourite = favourites.has(lead.category);
    const boughtCategory = boughtCategories.has(lead.category);
    const launched = lead.launchedAt === null ? null : Date.parse(lead.launchedAt);
    const isNew =
      launched !== null &&
      launched <= now.getTime() &&
      now.getTime() - launched < NEW_FOR_DAYS * DAY_MS;
    const base =
      (seen?.score ?? 0) +
      (favourite ? FAVOURITE_BONUS : 0) +
      (boughtCategory ? BOUGHT_CATEGORY_BONUS : 0) +
      (isNew ? NEW_BONUS : 0);
    if (base === 0) continue;
    const answer = herSizeAnswer(lead, skus, profile.sizes);
    const anyHere = skus.some((p) => p.active && p.stock > 0);
    if (!anyHere) continue;
    const factor = answer.herSizeInStock ? 1 : OTHER_SIZES_FACTOR;
    const reasons: NextBestReason[] = [];
    if (seen?.kinds.has('wishlisted')) reasons.push({ kind: 'wishlisted' });
    if (seen?.kinds.has('carted')) reasons.push({ kind: 'carted' });
    if (seen && reasons.length === 0) reasons.push({ kind: 'viewed', count: seen.views });
    if (favourite) reasons.push({ kind: 'favourite', category: lead.category });
    else if (boughtCategory) reasons.push({ kind: 'boughtCategory', category: lead.category });
    if (isNew) reasons.push({ kind: 'new' });
    if (answer.herSizeInStock && answer.herSku)
      reasons.push(
        answer.oneSize
          ? { kind: 'oneSize', stock: answer.herSku.stock }
          : { kind: 'herSize', size: answer.herSize ?? '', stock: answer.herSku.stock },
      );
    else reasons.push({ kind: 'otherSizes' });
    const bring =
      answer.herSizeInStock && answer.herSku ? (bySku.get(answer.herSku.sku) ?? lead) : lead;
    ranked.push({
      styleKey: key,
      product: bring,
      score: base * factor,
      reasons,
      interest: seen?.score ?? 0,
    });
  }
  ranked.sort(
    (a, b) =>
      b.score - a.score || b.interest - a.interest || a.product.sku.localeCompare(b.product.sku),
  );
  return ranked.slice(0, limit).map(({ interest: _interest, ...item }) => item);
}

/**
 * The baseline the benchmark compares with: the styles she viewed most recently (distinct, in
 * the order of her last view), whatever is in stock.
 */
export function mostRecentlyViewed(
  viewed: readonly Interest[],
  catalog: ReadonlyMap<string, Pick<StyleProduct, 'sku' | 'styleCode'>>,
  limit = NEXT_BEST_LIMIT,
): string[] {
  const out: string[] = [];
  for (const event of [...viewed].sort((a, b) => Date.parse(b.at) - Date.parse(a.at))) {
    const product = catalog.get(event.sku);
    if (!product) continue;
    const key = styleKeyOf(product);
    if (!out.includes(key)) out.push(key);
    if (out.length === limit) break;
  }
  return out;
}

/** The style key of a product (its style code, or the SKU for a product without one). */
export const nextBestStyleKey = styleKeyOf;
