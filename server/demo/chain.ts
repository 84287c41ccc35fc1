import type { GuideRole } from '../../shared/protocol';

/**
 * The demo chain. Every id is fixed, so re-running the seed updates the same rows and a demo
 * script (or a terminal enrolled yesterday) keeps working.
 */
export const demoId = (kind: number, n: number): string =>
  `01960000-${kind.toString(16).padStart(4, '0')}-7000-8000-${n.toString(16).padStart(12, '0')}`;

const STORE = 1;
const GUIDE = 2;
const TERMINAL = 3;

export type DemoGuide = { id: string; name: string; pin: string; role: GuideRole };
export type DemoTerminal = { id: string; name: string };
export type DemoStore = {
  id: string;
  name: string;
  timezone: string;
  lat: number;
  lng: number;
  geofenceRadiusM: number;
  /** head office's sales region (the console groups the chain's KPIs by it) */
  region: string;
  /** store-local opening hours, for the demo history */
  opens: number;
  closes: number;
  /** relative size of the store: footfall and customer share */
  weight: number;
  guides: DemoGuide[];
  terminals: DemoTerminal[];
};

function store(
  n: number,
  base: Omit<DemoStore, 'id' | 'guides' | 'terminals'>,
  guides: [name: string, role: GuideRole][],
  terminalNames: [string, string],
): DemoStore {
  return {
    ...base,
    id: demoId(STORE, n),
    guides: guides.map(([name, role], i) => ({
      id: demoId(GUIDE, n * 100 + i + 1),
      name,
      role,
      // Easy to type at a demo, different per guide: store digit, guide digit, twice, then 88
      // (6 digits, the rule for new PINs since issue #13; never one digit repeated or a run).
      pin: `${n}${i + 1}${n}${i + 1}88`,
    })),
    terminals: terminalNames.map((name, i) => ({ id: demoId(TERMINAL, n * 100 + i + 1), name })),
  };
}

export const DEMO_STORES: readonly DemoStore[] = [
  store(
    1,
    {
      name: '上海南京西路店',
      timezone: 'Asia/Shanghai',
      lat: 31.2292,
      lng: 121.4552,
      geofenceRadiusM: 150,
      region: '华东',
      opens: 10,
      closes: 22,
      weight: 4,
    },
    [
      ['陈静', 'manager'],
      ['王芳', 'guide'],
      ['李娜', 'guide'],
      ['赵磊', 'guide'],
    ],
    ['收银台 1', '收银台 2'],
  ),
  store(
    2,
    {
      name: '杭州湖滨店',
      timezone: 'Asia/Shanghai',
      lat: 30.2588,
      lng: 120.1651,
      geofenceRadiusM: 150,
      region: '华东',
      opens: 10,
      closes: 22,
      weight: 3,
    },
    [
      ['周敏', 'manager'],
      ['孙丽', 'guide'],
      ['吴婷', 'guide'],
    ],
    ['收银台 1', '收银台 2'],
  ),
  store(
    3,
    {
      name: '北京三里屯店',
      timezone: 'Asia/Shanghai',
      lat: 39.9336,
      lng: 116.454,
      geofenceRadiusM: 150,
      region: '华北',
      opens: 10,
      closes: 22,
      weight: 3,
    },
    [
      ['刘洋', 'manager'],
      ['杨雪', 'guide'],
      ['黄晓明', 'guide'],
    ],
    ['收银台 1', '收银台 2'],
  ),
  store(
    4,
    {
      name: '柏林米特店 Berlin Mitte',
      timezone: 'Europe/Berlin',
      lat: 52.5246,
      lng: 13.4021,
      geofenceRadiusM: 120,
      region: '欧洲',
      opens: 10,
      closes: 20,
      weight: 1,
    },
    [
      ['Anna Schmidt', 'manager'],
      ['Lukas Weber', 'guide'],
      ['王磊', 'guide'],
    ],
    ['Kasse 1', 'Kasse 2'],
  ),
];
