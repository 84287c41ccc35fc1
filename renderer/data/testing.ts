/**
 * Test helpers shared by the data-layer and sync-engine unit tests (not imported by app code).
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import type {
  ArrivalAlert,
  CustomerProfile,
  ProductItem,
  StaffMember,
  TerminalInfo,
} from '../../shared/protocol';
import { newId } from '../../shared/domain/ids';
import { hashPin } from '../../shared/domain/pin-verifier';
import { phoneLast4 } from '../../shared/domain/phone';
import { phoneTagOf } from '../../shared/domain/phone-tag';
import { TerminalDb } from './database';
import { generateDataKey, singleKeySealer, type Sealer } from './sealed';

export const TEST_PHONE_KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';

/**
 * A scrypt PIN verifier with tiny parameters, for component tests that sign guides in many times
 * (the real ones cost ≈ 0.3 s a check; the verifier says its parameters, so checks work alike).
 */
export const testPinHash = (pin: string) => hashPin(pin, { params: { N: 16, r: 8, p: 1 } });

/** A sealer over a fresh random data key (what the platform bridge would hand over). */
export const testSealer = (): Sealer => singleKeySealer(generateDataKey());

/**
 * A fresh, isolated in-memory IndexedDB per call, so tests never share state, with a sealer over
 * a fresh data key: reopen that database with the same object so the same key opens it.
 */
export function freshIdb(): {
  indexedDB: IDBFactory;
  keyRange: typeof IDBKeyRange;
  sealer: Sealer;
} {
  return { indexedDB: new IDBFactory(), keyRange: IDBKeyRange, sealer: testSealer() };
}

export function freshDb(terminalId: string = newId()): TerminalDb {
  return new TerminalDb(terminalId, freshIdb());
}

export async function makeProfile(
  over: Partial<CustomerProfile> & { phone?: string } = {},
): Promise<CustomerProfile> {
  const { phone, ...rest } = over;
  const e164 = phone ?? `+86138${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const now = new Date('2026-11-01T08:00:00Z').toISOString();
  return {
    id: newId(),
    seq: '1',
    name: '王芳',
    phoneLast4: phoneLast4(e164),
    phoneTag: await phoneTagOf(TEST_PHONE_KEY, e164),
    memberCode: `M${Math.floor(Math.random() * 1e9)}`,
    tier: 'gold',
    points: 120,
    gender: 'female',
    birthday: null,
    sizes: { top: 'M' },
    favouriteCategories: ['dress'],
    homeStoreId: null,
    tags: [],
    notes: '',
    online: {
      viewed: [{ sku: 'SKU-1', at: now, dwellSeconds: 40 }],
      carted: [],
      wishlisted: [],
      onlineOrders: 2,
      onlineSpend: 59_900,
    },
    inStore: { storeOrders: 0, storeSpend: 0, lastPurchases: [] },
    lifetimeSpend: 59_900,
    ...rest,
  };
}

export function makeProduct(over: Partial<ProductItem> = {}): ProductItem {
  return {
    id: newId(),
    seq: '1',
    sku: `SKU-${Math.floor(Math.random() * 1e9)}`,
    barcode: String(6_900_000_000_000 + Math.floor(Math.random() * 1e9)),
    name: '羊毛大衣',
    category: 'coat',
    size: 'M',
    colour: 'camel',
    styleCode: null,
    sizeKind: null,
    price: 129_900,
    stock: 3,
    active: true,
    launchedAt: null,
    ...over,
  };
}

export function makeGuide(over: Partial<StaffMember> = {}): StaffMember {
  return {
    id: newId(),
    storeId: newId(),
    name: '李娜',
    role: 'guide',
    pinHash: 'pbkdf2-sha256$1$00$00',
    active: true,
    ...over,
  };
}

export function makeAlert(over: Partial<ArrivalAlert> = {}): ArrivalAlert {
  return {
    alertId: newId(),
    visitId: newId(),
    storeId: newId(),
    at: '2026-11-02T10:00:00.000Z',
    source: 'wifi',
    status: 'open',
    claimedBy: null,
    claimedAt: null,
    expiresAt: '2026-11-02T10:30:00.000Z',
    convertedAt: null,
    card: {
      customerId: newId(),
      name: '王芳',
      tier: 'gold',
      phoneLast4: '5678',
      sizes: {},
      favouriteCategories: [],
      viewed: [],
      carted: [],
      wishlisted: [],
      lastPurchases: [],
      lifetimeSpend: 0,
    },
    ...over,
  };
}

/** What `GET /api/v1/terminal` tells an enrolled test terminal (a Shanghai store by default). */
export function makeTerminalInfo(over: {
  terminalId: string;
  storeId: string;
  timezone?: string;
  now: Date;
}): TerminalInfo {
  return {
    terminalId: over.terminalId,
    name: '收银台 1',
    store: {
      id: over.storeId,
      name: '上海南京西路店',
      timezone: over.timezone ?? 'Asia/Shanghai',
      lat: 31.23,
      lng: 121.45,
      geofenceRadiusM: 150,
    },
    phoneHashKey: TEST_PHONE_KEY,
    settings: {
      alertExpiryMinutes: 30,
      visitWindowMinutes: 120,
      autoLockMinutes: 5,
      currency: 'CNY',
      locale: 'zh-CN',
    },
    serverTime: over.now.toISOString(),
  };
}

/**
 * How many random cases a property test runs: `everyday` in `npm test`, or PROPERTY_RUNS for a
 * longer hunt (`PROPERTY_RUNS=1000 npx vitest run renderer --project unit`: a nightly job, or
 * after touching the sync code — rare interleavings show up in 1 run of hundreds). The test's
 * timeout grows with the runs (`msPerRun` each, never under two minutes).
 */
export function propertyRuns(
  everyday: number,
  msPerRun: number,
): { numRuns: number; timeout: number } {
  const asked = process.env.PROPERTY_RUNS;
  const numRuns = asked === undefined ? everyday : Number(asked);
  if (!Number.isInteger(numRuns) || numRuns < 1)
    throw new Error(`PROPERTY_RUNS must be a whole number of runs, got "${asked ?? ''}"`);
  return { numRuns, timeout: Math.max(120_000, numRuns * msPerRun) };
}
