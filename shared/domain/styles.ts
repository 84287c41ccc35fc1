/**
 * Styles, colours and sizes (issue #16, item 4): which SKU of a style is "her size", and what of
 * the style is on hand here. Pure: the terminal runs it over its cached catalog, offline.
 */

/** The profile sizes a product can be worn in (the keys of a customer's `sizes`). */
export const SIZE_KINDS = ['top', 'bottom', 'dress', 'shoe'] as const;
export type SizeKind = (typeof SIZE_KINDS)[number];

/**
 * Head office may leave a product's size kind out; then it follows from the category. Chinese
 * and English names of the categories a fashion chain sells; anything else (bags, accessories)
 * has no size chart, so every SKU of it is her size.
 */
const CATEGORY_KINDS: readonly [RegExp, SizeKind][] = [
  [/连衣裙|dress/i, 'dress'],
  [/裤|裙|jeans|trousers|pants|skirt|shorts/i, 'bottom'],
  [/鞋|靴|shoe|sneaker|boot/i, 'shoe'],
  [
    /t恤|衬衫|针织|毛衣|卫衣|外套|大衣|夹克|羽绒|西装|上衣|shirt|tee|top|knit|sweater|coat|jacket/i,
    'top',
  ],
];

/** The size kind a category is worn in, or null when it has no size chart. */
export function sizeKindForCategory(category: string): SizeKind | null {
  for (const [pattern, kind] of CATEGORY_KINDS) if (pattern.test(category)) return kind;
  return null;
}

/** The product fields this module reads (a cached catalog row has them all). */
export type StyleProduct = {
  sku: string;
  name: string;
  category: string;
  styleCode: string | null;
  size: string | null;
  colour: string | null;
  sizeKind: SizeKind | null;
  /** this store's units (may be negative from head office: shown as 0) */
  stock: number;
  active: boolean;
};

/** Units a guide is shown: never below zero, whatever the books say. */
export const shownStock = (units: number): number => Math.max(0, units);

const normalSize = (size: string | null | undefined): string =>
  (size ?? '').trim().toUpperCase().replace(/\s+/g, '');

/** Sizes that mean "fits everyone": such a SKU is her size whatever her profile says. */
const ONE_SIZE = new Set(['', '均码', 'OS', 'ONESIZE', 'F', 'FREE', 'FREESIZE']);
/** A SKU's size worth naming beside its name (not one size, not missing), else null. */
export const namedSize = (size: string | null | undefined): string | null =>
  ONE_SIZE.has(normalSize(size)) ? null : (size ?? '').trim();

/** Letter sizes in wearing order; numeric sizes (jeans, shoes) sort by number after them. */
const LETTER_ORDER = ['XXS', 'XS', 'S', 'M', 'L', 'XL', 'XXL', 'XXXL'];
export function compareSizes(a: string | null, b: string | null): number {
  const ia = LETTER_ORDER.indexOf(normalSize(a));
  const ib = LETTER_ORDER.indexOf(normalSize(b));
  if (ia !== -1 || ib !== -1) return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib);
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return (a ?? '').localeCompare(b ?? '');
}

/** One SKU of the style, as the card lists it. */
export type StyleSku = { sku: string; size: string | null; colour: string | null; stock: number };

/** What the card says about one item she showed interest in. */
export type HerSizeAnswer = {
  /** the item she looked at (as cached) */
  product: StyleProduct;
  /** her size for this item from her profile; null when her profile has none for its kind */
  herSize: string | null;
  /** one size fits all (bags, accessories): every SKU is her size */
  oneSize: boolean;
  /**
   * the SKU of her size in the colour she looked at (falling back to another colour of hers in
   * stock), or null when the style has no SKU in her size; one-size items: the item itself
   */
  herSku: StyleSku | null;
  /**
   * her size in the colour she looked at, in stock or not (null when the style has none): what
   * to look for in other stores when it is not here
   */
  wantedSku: StyleSku | null;
  /** whether her size is sellable here now (in stock and active) */
  herSizeInStock: boolean;
  /** other sizes of the same colour in stock here, in size order */
  otherSizes: StyleSku[];
  /** other colours with any size in stock here; `herSize` says if that colour has hers */
  otherColours: { colour: string; herSize: StyleSku | null; sizes: StyleSku[] }[];
};

/**
 * For an item she showed interest in online: is her size here, what else of the style is.
 * `siblings` are the cached products of its style (the item itself may be among them);
 * `sizes` is her profile's sizes by kind. Stock figures are this store's, never below zero.
 */
export function herSizeAnswer(
  product: StyleProduct,
  siblings: readonly StyleProduct[],
  sizes: Partial<Record<SizeKind, string | undefined>>,
): HerSizeAnswer {
  const sellable = (p: StyleProduct) => p.active && p.stock > 0;
  const toSku = (p: StyleProduct): StyleSku => ({
    sku: p.sku,
    size: p.size,
    colour: p.colour,
    stock: shownStock(p.stock),
  });
  const style = new Map<string, StyleProduct>();
  for (const p of [product, ...siblings])
    if (p.sku === product.sku || (product.styleCode !== null && p.styleCode === product.styleCode))
      style.set(p.sku, p);
  const all = [...style.values()].filter((p) => p.active);
  const kind = product.sizeKind ?? sizeKindForCategory(product.category);
  const oneSize = kind === null || namedSize(product.size) === null;
  const herSize = oneSize ? product.size : (sizes[kind] ?? null);
  const isHers = (p: StyleProduct) =>
    oneSize ? true : herSize !== null && normalSize(p.size) === normalSize(herSize);
  const sameColour = (p: StyleProduct) => (p.colour ?? '') === (product.colour ?? '');

  // Her size in the colour she looked at; if that is not here, her size in another colour that is.
  const inColour = oneSize ? product : all.find((p) => sameColour(p) && isHers(p));
  const elsewhere = all.filter((p) => !sameColour(p) && isHers(p) && sellable(p));
  const mine =
    inColour && (sellable(inColour) || elsewhere.length === 0) ? inColour : (elsewhere[0] ?? null);
  const otherSizes = all
    .filter((p) => sameColour(p) && p.sku !== mine?.sku && sellable(p))
    .sort((a, b) => compareSizes(a.size, b.size))
    .map(toSku);
  const colours = new Map<string, StyleProduct[]>();
  for (const p of all)
    if (!sameColour(p) && sellable(p) && p.colour !== null)
      colours.set(p.colour, [...(colours.get(p.colour) ?? []), p]);
  const otherColours = [...colours.entries()].map(([colour, list]) => {
    const sorted = [...list].sort((a, b) => compareSizes(a.size, b.size));
    const hers = sorted.find(isHers);
    return { colour, herSize: hers ? toSku(hers) : null, sizes: sorted.map(toSku) };
  });
  return {
    product,
    herSize: herSize ?? null,
    oneSize,
    wantedSku: inColour ? toSku(inColour) : null,
    herSku: mine ? toSku(mine) : null,
    herSizeInStock: mine !== null && sellable(mine) && (oneSize || herSize !== null),
    otherSizes,
    otherColours,
  };
}
