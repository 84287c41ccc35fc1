import type { Faker } from '@faker-js/faker';
import { normalisePhone } from '../../shared/domain/phone';
import type {
  BehaviourItem,
  Channel,
  CrmCustomer,
  OnlineSummary,
  Sizes,
  Tier,
} from '../../shared/protocol';
import type { DemoProduct } from './catalog';

/** Mobile prefixes of the three mainland carriers (all valid in libphonenumber's metadata). */
const MOBILE_PREFIXES = [
  '130',
  '131',
  '132',
  '133',
  '135',
  '136',
  '137',
  '138',
  '139',
  '150',
  '151',
  '152',
  '155',
  '156',
  '157',
  '158',
  '159',
  '177',
  '180',
  '181',
  '182',
  '183',
  '185',
  '186',
  '187',
  '188',
  '189',
  '199',
];

const TIERS: readonly { weight: number; value: Tier }[] = [
  { weight: 50, value: 'regular' },
  { weight: 25, value: 'silver' },
  { weight: 15, value: 'gold' },
  { weight: 7, value: 'platinum' },
  { weight: 3, value: 'diamond' },
];
const TIER_POINTS: Record<Tier, [number, number]> = {
  regular: [0, 800],
  silver: [800, 3000],
  gold: [3000, 10000],
  platinum: [10000, 30000],
  diamond: [30000, 120000],
};
const TAGS = ['老客', '职场通勤', '学生', '宝妈', '爱运动', '偏好折扣', '新品控', '团购', '高净值'];
const CHANNELS: readonly Channel[] = ['app', 'wechat', 'web'];

export type DemoCustomer = { crm: CrmCustomer; online: OnlineSummary; phoneNational: string };

/** Member codes follow the hub's format ('M' + 10 digits); the demo range starts at M8…. */
export const demoMemberCode = (index: number) => `M8${String(index).padStart(9, '0')}`;
export const demoCrmId = (index: number) => `DEMO-${String(index).padStart(6, '0')}`;

function sizesFor(faker: Faker, sex: 'female' | 'male'): Sizes {
  if (sex === 'female')
    return {
      top: faker.helpers.arrayElement(['S', 'M', 'L']),
      bottom: faker.helpers.arrayElement(['25', '26', '27', '28', '29']),
      dress: faker.helpers.arrayElement(['S', 'M', 'L']),
      shoe: faker.helpers.arrayElement(['35', '36', '37', '38', '39']),
    };
  return {
    top: faker.helpers.arrayElement(['M', 'L', 'XL', 'XXL']),
    bottom: faker.helpers.arrayElement(['29', '30', '31', '32', '34']),
    shoe: faker.helpers.arrayElement(['39', '40', '41', '42', '43', '44']),
  };
}

/**
 * Deterministic customers (the caller seeds faker): customer i is the same on every run, so the
 * seed is idempotent by CRM id and `--customers 500` is a prefix of `--customers 20000`.
 */
export function buildDemoCustomers(
  faker: Faker,
  count: number,
  stores: readonly { id: string; weight: number }[],
  products: readonly DemoProduct[],
  now: Date,
): DemoCustomer[] {
  const phones = new Set<string>();
  const categories = [...new Set(products.map((p) => p.category))];
  const byCategory = new Map<string, DemoProduct[]>();
  for (const p of products) byCategory.set(p.category, [...(byCategory.get(p.category) ?? []), p]);
  const storeWeights = stores.map((s) => ({ weight: s.weight, value: s.id }));
  const day = 86_400_000;

  const out: DemoCustomer[] = [];
  for (let i = 1; i <= count; i++) {
    const sex = faker.datatype.boolean(0.72) ? 'female' : 'male';
    const name = faker.person.fullName({ sex });
    let national: string;
    do {
      national = `${faker.helpers.arrayElement(MOBILE_PREFIXES)}${faker.string.numeric(8)}`;
    } while (phones.has(national) || !normalisePhone(national));
    phones.add(national);

    const tier = faker.helpers.weightedArrayElement(TIERS);
    const favourites = faker.helpers.arrayElements(categories, { min: 1, max: 3 });
    const birthday = faker.date.birthdate({ min: 18, max: 62, mode: 'age' });

    // Online trail, mostly in the favourite categories: what the guide's card shows.
    const pick = (n: number): DemoProduct[] =>
      Array.from({ length: n }, () => {
        const category = faker.datatype.boolean(0.75)
          ? faker.helpers.arrayElement(favourites)
          : faker.helpers.arrayElement(categories);
        return faker.helpers.arrayElement(byCategory.get(category)!);
      });
    const channel = faker.helpers.arrayElement(CHANNELS);
    const trail = (items: DemoProduct[], withDwell: boolean): BehaviourItem[] =>
      items
        .map((p) => ({
          sku: p.sku,
          name: p.name,
          at: new Date(
            now.getTime() - faker.number.int({ min: 60_000, max: 30 * day }),
          ).toISOString(),
          channel: faker.datatype.boolean(0.8) ? channel : faker.helpers.arrayElement(CHANNELS),
          ...(withDwell ? { dwellSeconds: faker.number.int({ min: 5, max: 600 }) } : {}),
        }))
        .sort((a, b) => (a.at < b.at ? 1 : -1));
    const active = faker.datatype.boolean(0.8);
    const viewed = active ? trail(pick(faker.number.int({ min: 1, max: 8 })), true) : [];
    const carted = active ? trail(pick(faker.number.int({ min: 0, max: 3 })), false) : [];
    const wishlisted = active ? trail(pick(faker.number.int({ min: 0, max: 4 })), false) : [];
    const onlineOrders = active ? faker.number.int({ min: 0, max: 12 }) : 0;
    const lastOnline =
      [...viewed, ...carted, ...wishlisted]
        .map((b) => b.at)
        .sort()
        .at(-1) ?? null;

    out.push({
      phoneNational: national,
      crm: {
        crmId: demoCrmId(i),
        name,
        phone: national,
        memberCode: demoMemberCode(i),
        tier,
        points: faker.number.int({ min: TIER_POINTS[tier][0], max: TIER_POINTS[tier][1] }),
        gender: sex,
        birthday: birthday.toISOString().slice(0, 10),
        sizes: sizesFor(faker, sex),
        favouriteCategories: favourites,
        homeStoreId: faker.helpers.weightedArrayElement(storeWeights),
        tags: faker.helpers.arrayElements(TAGS, { min: 0, max: 2 }),
        notes: '',
        consentMarketing: faker.datatype.boolean(0.7),
      },
      online: {
        viewed,
        carted,
        wishlisted,
        onlineOrders,
        onlineSpend: onlineOrders * faker.number.int({ min: 150, max: 900 }) * 100,
        lastOnlineAt: lastOnline,
        channel: active ? channel : null,
      },
    });
  }
  return out;
}
