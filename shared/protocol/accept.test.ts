import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { acceptorOf, fastSafeParse, NOT_ACCEPTED } from './accept';
import { customerProfile, customerTombstone, type CustomerProfile } from './customers';

/*
 * The acceptor against zod itself, exhaustively over mutations of a full customer feed row: it
 * accepts exactly the inputs zod accepts, and answers what zod answers — the same values with
 * their keys in the same order, unknown keys stripped, ids lower-cased, SKUs trimmed.
 */

const NOW = '2026-11-01T08:00:00.000Z';
const PROFILE: CustomerProfile = {
  id: '01a24ead-251f-723e-9099-7308ef68e8f3',
  seq: '2975',
  name: '闫鑫磊',
  phoneLast4: '5966',
  phoneTag: 874,
  memberCode: 'M8000000037',
  tier: 'gold',
  points: 695,
  gender: 'female',
  birthday: '08-02',
  sizes: { top: 'L', shoe: '39' },
  favouriteCategories: ['连衣裙', '包袋'],
  homeStoreId: '01960000-0001-7000-8000-000000000001',
  tags: ['新品控'],
  notes: '喜欢浅色\n周末来',
  online: {
    viewed: [
      { sku: 'SGAC03-PNK-OS', name: '棒球帽 浅粉', at: NOW, dwellSeconds: 535 },
      { sku: 'SGBG01-PNK-OS', at: '2026-11-20T18:26:32.498+08:00' },
    ],
    carted: [{ sku: 'SGAC11-GRN-OS', name: '项链 墨绿', at: NOW }],
    wishlisted: [],
    onlineOrders: 1,
    onlineSpend: 22_200,
  },
  inStore: {
    storeOrders: 1,
    storeSpend: 59_900,
    lastPurchases: [
      {
        orderId: 'SO-1',
        storeId: '01960000-0001-7000-8000-000000000001',
        channel: 'store',
        at: NOW,
        total: 59_900,
        items: [{ sku: 'SGTP01-WHT-M', name: '真丝衬衫', quantity: 1 }],
      },
    ],
  },
  lifetimeSpend: 82_100,
  binding: { guideId: '01960000-0002-7000-8000-000000000001', guideName: '王芳', since: NOW },
  marketingConsent: { granted: true, at: NOW, noticeVersion: 'v2' },
};
const TOMBSTONE = {
  id: '01a24ead-251f-723e-9099-7308ef68e8f3',
  seq: '3001',
  deleted: true,
  mergedInto: null,
  outOfScope: true,
};

/** Values that are valid somewhere and wrong elsewhere, or wrong everywhere. */
const ODD: unknown[] = [
  undefined,
  null,
  true,
  0,
  -1,
  1.5,
  2047,
  2048,
  2 ** 53,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '',
  ' ',
  ' SGAC03 ',
  'gold',
  'diamond',
  'bogus',
  '1234',
  '12a4',
  '02-29',
  '02-30',
  '13-01',
  '01A24EAD-251F-723E-9099-7308EF68E8F3',
  '01a24ead-251f-723e-9099-7308ef68e8f',
  NOW,
  '2026-11-01T08:00:00+23:59',
  '1999-12-31T23:59:59Z',
  '2026-02-30T08:00:00Z',
  'a\u0000b',
  'a\u001bb',
  '\ud800',
  'x'.repeat(65),
  [],
  ['x'],
  [{}],
  {},
  { sku: 'X', at: NOW },
];

/** Same values, arrays and own keys (an own key set to undefined counts), key order aside. */
function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  const recordA = a as Record<string, unknown>;
  const recordB = b as Record<string, unknown>;
  return (
    keysA.length === keysB.length &&
    keysA.every((key) => Object.hasOwn(recordB, key) && sameValue(recordA[key], recordB[key]))
  );
}

type Path = (string | number)[];

/** Every path to a value in `value`, the root included. */
function pathsOf(value: unknown, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(value)) value.forEach((item, i) => out.push(...pathsOf(item, [...at, i])));
  else if (typeof value === 'object' && value !== null)
    for (const [key, item] of Object.entries(value)) out.push(...pathsOf(item, [...at, key]));
  return out;
}

const clone = <T>(value: T): T => structuredClone(value);
function parentOf(root: unknown, path: Path): Record<string | number, unknown> {
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  return node;
}

/** The base, then each value replaced, each key deleted, an extra key in each object. */
function* mutantsOf(base: unknown): Generator<unknown> {
  yield clone(base);
  for (const path of pathsOf(base)) {
    if (path.length === 0) {
      for (const odd of ODD) yield clone(odd);
      yield { ...clone(base as object), extra: 1 };
      continue;
    }
    const last = path[path.length - 1]!;
    for (const odd of ODD) {
      const mutant = clone(base);
      parentOf(mutant, path)[last] = clone(odd);
      yield mutant;
    }
    const without = clone(base);
    const parent = parentOf(without, path);
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else Reflect.deleteProperty(parent, last);
    yield without;
    const node = parentOf(base, path)[last];
    if (typeof node === 'object' && node !== null && !Array.isArray(node)) {
      const extra = clone(base);
      (parentOf(extra, path)[last] as Record<string, unknown>).extra = 1;
      yield extra;
    }
  }
  // An own `__proto__` key, as JSON.parse makes one.
  yield JSON.parse(JSON.stringify(base).replace(/^\{/, '{"__proto__":{"x":1},'));
}

function compare(schema: z.ZodType, base: unknown) {
  const accept = acceptorOf(schema);
  if (!accept) throw new Error('the schema has no acceptor');
  const fast = fastSafeParse(schema);
  const counts = { mutants: 0, accepted: 0, zodAccepted: 0, rewrittenByZod: 0 };
  for (const input of mutantsOf(base)) {
    counts.mutants += 1;
    const zod = schema.safeParse(input);
    const answer = accept(input);
    if (zod.success) counts.zodAccepted += 1;
    if (zod.success && !sameValue(zod.data, input)) counts.rewrittenByZod += 1;
    if (answer !== NOT_ACCEPTED) counts.accepted += 1;
    const agrees =
      answer === NOT_ACCEPTED
        ? !zod.success
        : zod.success &&
          sameValue(answer, zod.data) &&
          JSON.stringify(answer) === JSON.stringify(zod.data);
    if (!agrees) throw new Error(`disagrees with zod on ${JSON.stringify(input)}`);
    // the fast parse answers exactly what zod answers, refusals (and their messages) included
    expect(fast(input)).toStrictEqual(zod);
  }
  return counts;
}

describe('acceptor (zod happy path without eval)', () => {
  it('agrees with zod on every mutation of a full customer profile', () => {
    const counts = compare(customerProfile, PROFILE);
    expect(counts.mutants).toBeGreaterThan(2_000);
    // not vacuous: many mutants are valid (another tier, a valid string), many are not
    expect(counts.accepted).toBeGreaterThan(200);
    expect(counts.mutants - counts.zodAccepted).toBeGreaterThan(1_000);
    // every input zod accepts, the acceptor does, those zod rewrites (trims a SKU, lower-cases
    // an id, strips a key) included
    expect(counts.accepted).toBe(counts.zodAccepted);
    expect(counts.rewrittenByZod).toBeGreaterThan(10);
  });

  it('agrees with zod on every mutation of a tombstone', () => {
    const counts = compare(customerTombstone, TOMBSTONE);
    expect(counts.accepted).toBe(counts.zodAccepted);
    expect(counts.accepted).toBeGreaterThan(5);
    expect(counts.mutants - counts.zodAccepted).toBeGreaterThan(100);
  });

  it('agrees with zod on unions, literals, checks on objects and arrays, and optional keys', () => {
    const schema = z.union([
      z.object({ kind: z.literal('a'), n: z.number().int().min(1).optional(), x: z.number() }),
      z
        .object({ kind: z.literal('b'), list: z.array(z.string().max(3)).max(2).nullable() })
        .refine((b) => b.list === null || b.list.length > 0, 'empty list'),
    ]);
    compare(schema, { kind: 'a', n: 3, x: 0.5 });
    compare(schema, { kind: 'b', list: ['x', 'yy'] });
  });

  it('leaves to zod a schema it does not know (transforms, defaults, records)', () => {
    for (const schema of [
      z.object({ n: z.string().transform((s) => s.length) }),
      z.object({ n: z.number().default(1) }),
      z.record(z.string(), z.number()),
      z.object({ n: z.number() }).strict(),
      z.object({ n: z.coerce.number() }),
    ]) {
      expect(acceptorOf(schema as z.ZodType)).toBeNull();
      const fast = fastSafeParse(schema as z.ZodType);
      expect(fast({ n: '12' })).toStrictEqual(schema.safeParse({ n: '12' }));
    }
  });
});
