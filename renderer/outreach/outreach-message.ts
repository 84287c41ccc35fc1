import { formatFen } from '../../shared/domain/money';
import type { HerSizeAnswer } from '../../shared/domain/styles';
import { miniStoreUrl, type Gender, type ProductItem } from '../../shared/protocol';

/** One item a guide can recommend: sellable here now, in her size when her size is known. */
export type OutreachItem = {
  sku: string;
  name: string;
  size: string | null;
  colour: string | null;
  /** fen */
  price: number;
  /** units here (for the guide; the message only says "in stock") */
  stock: number;
  /** the mini-store link the QR code opens; null without a pattern */
  url: string | null;
};

/**
 * The items she showed interest in that can be offered here now, in the order given (the task's
 * item first, then wish list, cart, views): her size of the style when it is in stock, else the
 * item itself when it is; items not sellable here are left out. One entry per SKU.
 */
export function outreachItems(
  skus: readonly string[],
  products: ReadonlyMap<string, ProductItem>,
  answers: ReadonlyMap<string, HerSizeAnswer>,
  link: { pattern: string | null; guideId: string; storeId: string },
): OutreachItem[] {
  const out = new Map<string, OutreachItem>();
  for (const sku of skus) {
    const product = products.get(sku);
    if (!product || !product.active) continue;
    const answer = answers.get(sku);
    const her = answer?.herSizeInStock ? answer.herSku : null;
    const offered = her
      ? { sku: her.sku, size: her.size, colour: her.colour, stock: her.stock }
      : product.stock > 0
        ? { sku: product.sku, size: product.size, colour: product.colour, stock: product.stock }
        : null;
    if (!offered || out.has(offered.sku)) continue;
    out.set(offered.sku, {
      ...offered,
      name: product.name,
      // A style's sizes share one price; the SKU she looked at carries it in the cache.
      price: product.price,
      url: miniStoreUrl(link.pattern, {
        sku: offered.sku,
        styleCode: product.styleCode,
        guideId: link.guideId,
        storeId: link.storeId,
      }),
    });
  }
  return [...out.values()];
}

/** How the message addresses her: 王女士 / 王先生 for a Chinese name, else the name as it is. */
export function salutation(name: string, gender: Gender, language: string): string {
  const trimmed = name.trim();
  const chinese = /^\p{Script=Han}{2,4}$/u.test(trimmed);
  if (!chinese) return trimmed;
  const surname = trimmed.length === 4 ? trimmed.slice(0, 2) : trimmed.slice(0, 1);
  if (gender === 'female') return language.startsWith('zh') ? `${surname}女士` : `Ms ${surname}`;
  if (gender === 'male') return language.startsWith('zh') ? `${surname}先生` : `Mr ${surname}`;
  return trimmed;
}

export type MessageText = {
  greeting: string;
  line: (item: OutreachItem, n: number, price: string) => string;
  closing: string;
};

/** The message a guide copies: greeting, one line per item (price, size, link), closing. */
export function composeMessage(
  text: MessageText,
  items: readonly OutreachItem[],
  moneyLocale: string,
): string {
  const lines = items.flatMap((item, i) => {
    const line = text.line(item, i + 1, formatFen(item.price, moneyLocale));
    return item.url ? [line, `   ${item.url}`] : [line];
  });
  return [text.greeting, ...lines, text.closing].join('\n');
}
