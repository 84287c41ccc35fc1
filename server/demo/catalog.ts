import type { Faker } from '@faker-js/faker';
import type { SizeKind } from '../../shared/domain/styles';
import type { ProductUpsert } from '../../shared/protocol';

/** Category, its SKU code, the sizes it comes in, its price band (yuan) and its styles. */
const CATEGORIES: readonly {
  name: string;
  code: string;
  /** the profile size it is worn in; left out for one-size categories */
  sizeKind?: SizeKind;
  sizes: readonly string[];
  price: [number, number];
  styles: readonly string[];
}[] = [
  {
    name: '连衣裙',
    sizeKind: 'dress',
    code: 'DR',
    sizes: ['S', 'M', 'L'],
    price: [399, 1299],
    styles: [
      '法式碎花连衣裙',
      '真丝吊带连衣裙',
      '针织长袖连衣裙',
      '衬衫式连衣裙',
      '小黑裙',
      '雪纺印花长裙',
      '收腰A字连衣裙',
      '亚麻度假长裙',
    ],
  },
  {
    name: 'T恤',
    sizeKind: 'top',
    code: 'TS',
    sizes: ['S', 'M', 'L', 'XL'],
    price: [99, 299],
    styles: [
      '纯棉圆领T恤',
      '宽松印花T恤',
      '修身短袖T恤',
      '条纹长袖T恤',
      'V领基础T恤',
      '重磅落肩T恤',
      '刺绣Logo T恤',
      '冰丝短袖T恤',
      '亨利领T恤',
      '撞色拼接T恤',
    ],
  },
  {
    name: '衬衫',
    sizeKind: 'top',
    code: 'SH',
    sizes: ['S', 'M', 'L', 'XL'],
    price: [259, 699],
    styles: [
      '牛津纺衬衫',
      '真丝通勤衬衫',
      '亚麻休闲衬衫',
      '条纹法式衬衫',
      '灯芯绒衬衫',
      '泡泡袖衬衫',
      '免烫商务衬衫',
      '格纹衬衫',
    ],
  },
  {
    name: '针织衫',
    sizeKind: 'top',
    code: 'KN',
    sizes: ['S', 'M', 'L'],
    price: [299, 1599],
    styles: [
      '羊绒圆领毛衣',
      '麻花针织开衫',
      '高领羊毛衫',
      '镂空针织背心',
      '马海毛毛衣',
      '短款针织开衫',
    ],
  },
  {
    name: '外套',
    sizeKind: 'top',
    code: 'CT',
    sizes: ['S', 'M', 'L', 'XL'],
    price: [699, 2999],
    styles: ['双面呢大衣', '轻薄羽绒服', '经典风衣', '牛仔夹克', '西装外套', '机车皮衣'],
  },
  {
    name: '牛仔裤',
    sizeKind: 'bottom',
    code: 'JN',
    sizes: ['26', '27', '28', '29', '30'],
    price: [299, 799],
    styles: [
      '高腰直筒牛仔裤',
      '阔腿牛仔裤',
      '修身小脚牛仔裤',
      '微喇牛仔裤',
      '九分老爹裤',
      '破洞男友裤',
    ],
  },
  {
    name: '半身裙',
    sizeKind: 'bottom',
    code: 'SK',
    sizes: ['S', 'M', 'L'],
    price: [259, 899],
    styles: ['百褶半身裙', '羊毛A字裙', '缎面半身裙', '牛仔短裙', '包臀针织裙', '格纹半身裙'],
  },
  {
    name: '运动鞋',
    sizeKind: 'shoe',
    code: 'SN',
    sizes: ['36', '37', '38', '39', '40', '41', '42'],
    price: [499, 1299],
    styles: ['复古跑鞋', '小白鞋', '厚底老爹鞋', '帆布板鞋', '轻量训练鞋'],
  },
  {
    name: '包袋',
    code: 'BG',
    sizes: ['均码'],
    price: [399, 2599],
    styles: [
      '托特包',
      '链条斜挎包',
      '双肩包',
      '腋下包',
      '水桶包',
      '帆布购物袋',
      '迷你手拿包',
      '马鞍包',
      '信封包',
      '菜篮子包',
    ],
  },
  {
    name: '配饰',
    code: 'AC',
    sizes: ['均码'],
    price: [59, 599],
    styles: [
      '真丝方巾',
      '羊绒围巾',
      '棒球帽',
      '渔夫帽',
      '皮带',
      '珍珠发夹',
      '墨镜',
      '针织手套',
      '袜子三双装',
      '耳环',
      '项链',
      '手链',
    ],
  },
];

export const DEMO_CATEGORIES = CATEGORIES.map((c) => c.name);

const COLOURS: readonly [code: string, name: string][] = [
  ['BLK', '黑色'],
  ['WHT', '白色'],
  ['NVY', '藏青'],
  ['BEI', '米色'],
  ['GRY', '灰色'],
  ['RED', '酒红'],
  ['GRN', '墨绿'],
  ['BLU', '雾霾蓝'],
  ['PNK', '浅粉'],
  ['BRN', '驼色'],
];

/** EAN-13 with the GS1 check digit; prefix 690–699 is GS1 China. */
export function ean13(first12: string): string {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (i % 2 === 0 ? 1 : 3);
  return `${first12}${(10 - (sum % 10)) % 10}`;
}

export type DemoProduct = ProductUpsert & { stock: Record<string, number> };

/**
 * ~500 SKUs: every style (its code the SKU's stem) in two colours and each of its sizes, with an EAN-13 barcode, a price
 * in fen and per-store stock (a few sizes sold out, so the card's "in stock here" matters).
 */
export function buildDemoProducts(
  faker: Faker,
  storeIds: readonly string[],
  now: Date = new Date(),
): DemoProduct[] {
  const products: DemoProduct[] = [];
  let serial = 0;
  for (const [c, category] of CATEGORIES.entries()) {
    category.styles.forEach((style, s) => {
      // One style in five is new this season (launched 1–20 days ago), the rest 3–13 months ago;
      // by position, so the seed's random stream (and every figure drawn from it) is unchanged.
      const daysAgo = (c + s) % 5 === 0 ? ((s * 7 + c) % 20) + 1 : 90 + ((s * 37 + c * 11) % 300);
      // Whole UTC days, so seeding again the same day changes no product.
      const today = Math.floor(now.getTime() / 86_400_000);
      const launchedAt = new Date((today - daysAgo) * 86_400_000).toISOString();
      const yuan = faker.number.int({ min: category.price[0], max: category.price[1] });
      // Retail prices end in 9: 399, 459, 1299 …
      const price = (Math.floor(yuan / 10) * 10 + 9) * 100;
      const colours = faker.helpers.arrayElements(COLOURS, 2);
      // The style code is the SKU's stem: every colour and size of one design shares it.
      const styleCode = `SG${category.code}${String(s + 1).padStart(2, '0')}`;
      for (const [colourCode, colourName] of colours) {
        for (const size of category.sizes) {
          serial += 1;
          const stock: Record<string, number> = {};
          for (const storeId of storeIds)
            stock[storeId] = faker.datatype.boolean(0.12)
              ? 0
              : faker.number.int({ min: 1, max: 25 });
          products.push({
            sku: `${styleCode}-${colourCode}-${size === '均码' ? 'OS' : size}`,
            barcode: ean13(`693${String(serial).padStart(9, '0')}`),
            name: `${style} ${colourName}`,
            category: category.name,
            size,
            colour: colourName,
            styleCode,
            ...(category.sizeKind ? { sizeKind: category.sizeKind } : {}),
            price,
            active: true,
            stock,
            launchedAt,
          });
        }
      }
    });
  }
  return products;
}
