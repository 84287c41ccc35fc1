/**
 * `npm run bench:next-best` — how often a next-best item (#16 item 5) is what she then bought in
 * the store, against the baseline of "her three most recently viewed styles".
 *
 * The demo seed's own in-store orders draw their lines uniformly from the whole catalog (they
 * feed the dashboard, not a behaviour model), so against them every ranking scores at chance
 * (3 of ~110 styles). This bench therefore replays the seeded members and catalog (the seed's
 * generators, the seed's faker seed) under a stated purchase model, one in-store purchase per
 * member, at a store drawn by the member's home-store weights, with the online trail she had
 * before it:
 * - 50 %: one of her online interest events (every wish-list, cart and view event equally
 *   likely; one whose style has her size in stock at that store twice as likely: people buy what
 *   fits and is there);
 * - 25 %: a style of one of her favourite categories that has her size in stock there;
 * - 25 %: any style in stock there.
 * The model is not the ranking's scoring (no recency decay, no event weights, no newness), but it
 * shares its premise that interest and stock matter; the figure says how well the ranking turns
 * those signals into three items, not how real customers behave. Replace the model with a real
 * export of online trails and store receipts to measure that.
 */
import { Faker, base, en, zh_CN } from '@faker-js/faker';
import { cpus, loadavg } from 'node:os';
import {
  mostRecentlyViewed,
  nextBestItems,
  nextBestStyleKey,
  type NextBestProduct,
} from '../../shared/domain/next-best';
import { herSizeAnswer, type StyleProduct } from '../../shared/domain/styles';
import { buildDemoProducts, type DemoProduct } from '../../server/demo/catalog';
import { DEMO_STORES } from '../../server/demo/chain';
import { buildDemoCustomers } from '../../server/demo/customers';

const MEMBERS = Number(process.env.NEXT_BEST_MEMBERS ?? 5_000);
const FAKER_SEED = 20_261_122; // server/demo/seed.ts

const faker = new Faker({ locale: [zh_CN, en, base] });
faker.seed(FAKER_SEED);
faker.setDefaultRefDate(new Date('2026-01-01T00:00:00Z'));
const now = new Date('2026-12-01T12:00:00Z');
const storeIds = DEMO_STORES.map((s) => s.id);
const demo = buildDemoProducts(faker, storeIds, now);
const members = buildDemoCustomers(faker, MEMBERS, DEMO_STORES, demo, now);

const catalogAt = (storeId: string): NextBestProduct[] =>
  demo.map((p: DemoProduct) => ({
    sku: p.sku,
    name: p.name,
    category: p.category,
    styleCode: p.styleCode ?? null,
    size: p.size ?? null,
    colour: p.colour ?? null,
    sizeKind: p.sizeKind ?? null,
    stock: p.stock[storeId] ?? 0,
    active: p.active,
    price: p.price,
    launchedAt: p.launchedAt ?? null,
  }));
const catalogs = new Map(storeIds.map((id) => [id, catalogAt(id)]));
const styleKeys = new Set(
  demo.map((p) => nextBestStyleKey({ sku: p.sku, styleCode: p.styleCode ?? null })),
);

type Source = 'interest' | 'category' | 'any';
const hits = { nextBest: { all: 0 }, baseline: { all: 0 } } as {
  nextBest: Record<string, number>;
  baseline: Record<string, number>;
};
const bySource: Record<Source, number> = { interest: 0, category: 0, any: 0 };
const started = performance.now();
let rankMs = 0;

for (const member of members) {
  const storeId = member.crm.homeStoreId ?? storeIds[0]!;
  const catalog = catalogs.get(storeId)!;
  const bySku = new Map(catalog.map((p) => [p.sku, p]));
  const byStyle = new Map<string, NextBestProduct[]>();
  for (const p of catalog) {
    const key = nextBestStyleKey(p);
    byStyle.set(key, [...(byStyle.get(key) ?? []), p]);
  }
  const sizes = member.crm.sizes ?? {};
  const herSizeHere = (key: string): boolean => {
    const skus = byStyle.get(key) ?? [];
    return skus.length > 0 && herSizeAnswer(skus[0]! as StyleProduct, skus, sizes).herSizeInStock;
  };
  const online = member.online;
  const events = [...online.wishlisted, ...online.carted, ...online.viewed].filter((e) =>
    bySku.has(e.sku),
  );

  // What she buys, by the model above.
  const roll = faker.number.float({ min: 0, max: 1 });
  let source: Source = roll < 0.5 ? 'interest' : roll < 0.75 ? 'category' : 'any';
  let bought: string | null = null;
  if (source === 'interest' && events.length > 0) {
    const weighted = events.flatMap((e) => {
      const key = nextBestStyleKey(bySku.get(e.sku)!);
      return herSizeHere(key) ? [key, key] : [key];
    });
    bought = faker.helpers.arrayElement(weighted);
  }
  if (bought === null && source !== 'any') {
    source = 'category';
    const favourites = new Set(member.crm.favouriteCategories ?? []);
    const fits = [...byStyle.keys()].filter(
      (k) => favourites.has(byStyle.get(k)![0]!.category) && herSizeHere(k),
    );
    if (fits.length > 0) bought = faker.helpers.arrayElement(fits);
  }
  if (bought === null) {
    source = 'any';
    const inStock = [...byStyle.keys()].filter((k) => byStyle.get(k)!.some((p) => p.stock > 0));
    bought = faker.helpers.arrayElement(inStock);
  }
  bySource[source] += 1;

  const t0 = performance.now();
  const top = nextBestItems(
    {
      sizes,
      favouriteCategories: member.crm.favouriteCategories ?? [],
      online,
      lastPurchases: [],
    },
    catalog,
    now,
  ).map((i) => i.styleKey);
  rankMs += performance.now() - t0;
  const baseline = mostRecentlyViewed(online.viewed, bySku);
  for (const [name, list] of [
    ['nextBest', top],
    ['baseline', baseline],
  ] as const)
    if (list.includes(bought)) {
      hits[name].all = (hits[name].all ?? 0) + 1;
      hits[name][source] = (hits[name][source] ?? 0) + 1;
    }
}

const pct = (n: number, of: number) => (of === 0 ? '—' : `${((100 * n) / of).toFixed(1)} %`);
/** 95 % interval of a proportion (Wilson), in percent. */
const wilson = (k: number, n: number) => {
  const z = 1.96;
  const p = k / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
  return `${(100 * (centre - half)).toFixed(1)}–${(100 * (centre + half)).toFixed(1)} %`;
};

console.log(
  `next-best bench: ${MEMBERS} seeded members, ${demo.length} SKUs in ${styleKeys.size} styles, ` +
    `${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(2)} at start`,
);
console.log(
  `purchases by the model: interest ${bySource.interest}, category ${bySource.category}, any ${bySource.any}`,
);
for (const name of ['nextBest', 'baseline'] as const)
  console.log(
    `${name === 'nextBest' ? 'next-best top 3      ' : 'most recently viewed '}` +
      `hit ${pct(hits[name].all!, MEMBERS)} (95 % ${wilson(hits[name].all!, MEMBERS)}); ` +
      `interest ${pct(hits[name].interest ?? 0, bySource.interest)}, ` +
      `category ${pct(hits[name].category ?? 0, bySource.category)}, ` +
      `any ${pct(hits[name].any ?? 0, bySource.any)}`,
  );
console.log(`chance (3 of ${styleKeys.size} styles): ${pct(3, styleKeys.size)}`);
console.log(
  `ranking: ${(rankMs / MEMBERS).toFixed(2)} ms per member over a ${demo.length}-SKU catalog ` +
    `(whole bench ${((performance.now() - started) / 1000).toFixed(1)} s)`,
);
