/**
 * What one customer feed page costs the terminal's main thread, and what a compact wire format
 * would save (issue #3's ratio question). Not a test: it prints figures. Node's V8, so a guide to
 * Chromium's renderer, not its exact figures.
 *
 * Takes one page of the real feed (`customerFeedPage`, from the middle of the feed) from a seeded
 * hub data dir that no hub is running on, then times, median of `--runs`:
 * - today's format: JSON.parse, zod (the client's schema), cache rows, structured clone of the
 *   page's 100-profile blocks (`v8.serialize`, what IndexedDB's put does with them);
 * - the same page as columns (trail items as tuples without product names, instants as epoch
 *   milliseconds): bytes, JSON.parse, zod, and rebuilding the profiles the cache and screens use.
 *
 *   npx tsx test/bench/feed-format-probe.ts --hub <copy of a hub:seed data dir> [--limit 5000]
 */
import { serialize } from 'node:v8';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { z } from 'zod';
import { toCachedCustomer } from '../../renderer/data/customer-rows';
import { BLOCK_SIZE } from '../../renderer/data/customer-index';
import { openDatabase } from '../../server/db/database';
import { customerFeedPage } from '../../server/sync/feed-json';
import {
  monthDay,
  channel,
  customerProfile,
  gender,
  tier,
  type BehaviourItem,
  type Channel,
  type CustomerProfile,
} from '../../shared/protocol';
import { fen, uuid } from '../../shared/protocol/common';

const { values: args } = parseArgs({
  options: {
    hub: { type: 'string' },
    limit: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '15' },
  },
});
if (!args.hub) throw new Error('--hub <data dir of a seeded hub, not in use> is required');
const LIMIT = Number(args.limit);
const RUNS = Number(args.runs);
if (!Number.isInteger(LIMIT) || LIMIT < 100 || LIMIT > 5000)
  throw new Error('--limit must be 100..5000');
if (!Number.isInteger(RUNS) || RUNS < 3 || RUNS > 200) throw new Error('--runs must be 3..200');

function time(label: string, work: () => unknown): void {
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    work();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const median = ms[RUNS >> 1] ?? NaN;
  console.log(`${label.padEnd(48)} ${median.toFixed(1).padStart(7)} ms median`);
}

const KINDS = ['viewed', 'carted', 'wishlisted'] as const;
/** kind, sku, at (epoch ms), channel, dwell seconds */
type TrailTuple = [number, string, number, Channel | null, number | null];

/** The page as columns: one array per field, `trail[i]` the i-th customer's trail tuples. */
function toColumns(page: CustomerProfile[]) {
  const at = (iso: string) => Date.parse(iso);
  return {
    id: page.map((c) => c.id),
    seq: page.map((c) => c.seq),
    name: page.map((c) => c.name),
    phoneLast4: page.map((c) => c.phoneLast4),
    phoneTag: page.map((c) => c.phoneTag),
    memberCode: page.map((c) => c.memberCode),
    tier: page.map((c) => c.tier),
    points: page.map((c) => c.points),
    gender: page.map((c) => c.gender),
    birthday: page.map((c) => c.birthday),
    sizes: page.map((c) => [
      c.sizes.top ?? null,
      c.sizes.bottom ?? null,
      c.sizes.dress ?? null,
      c.sizes.shoe ?? null,
    ]),
    favouriteCategories: page.map((c) => c.favouriteCategories),
    homeStoreId: page.map((c) => c.homeStoreId),
    tags: page.map((c) => c.tags),
    notes: page.map((c) => c.notes),
    onlineOrders: page.map((c) => c.online.onlineOrders),
    onlineSpend: page.map((c) => c.online.onlineSpend),
    storeOrders: page.map((c) => c.inStore.storeOrders),
    storeSpend: page.map((c) => c.inStore.storeSpend),
    lifetimeSpend: page.map((c) => c.lifetimeSpend),
    trail: page.map((c) =>
      KINDS.flatMap((kind, k) =>
        c.online[kind].map((t): TrailTuple => [k, t.sku, at(t.at), null, t.dwellSeconds ?? null]),
      ),
    ),
  };
}

const nullableString = z.string().nullable();
const count = z.number().int().nonnegative();
const columns = z.object({
  id: z.array(uuid),
  seq: z.array(z.string().regex(/^\d{1,19}$/)),
  name: z.array(z.string()),
  phoneLast4: z.array(nullableString),
  phoneTag: z.array(count.nullable()),
  memberCode: z.array(z.string()),
  tier: z.array(tier),
  points: z.array(count),
  gender: z.array(gender),
  birthday: z.array(monthDay.nullable()),
  sizes: z.array(z.tuple([nullableString, nullableString, nullableString, nullableString])),
  favouriteCategories: z.array(z.array(z.string())),
  homeStoreId: z.array(uuid.nullable()),
  tags: z.array(z.array(z.string())),
  notes: z.array(z.string()),
  onlineOrders: z.array(count),
  onlineSpend: z.array(fen),
  storeOrders: z.array(count),
  storeSpend: z.array(fen),
  lifetimeSpend: z.array(fen),
  trail: z.array(
    z.array(
      z.tuple([
        z.number().int().min(0).max(2),
        z.string().min(1).max(64),
        count,
        channel.nullable(),
        count.nullable(),
      ]),
    ),
  ),
});
type Columns = z.infer<typeof columns>;

/** The profiles back from columns; product names from the terminal's catalog (`names`). */
function fromColumns(c: Columns, names: ReadonlyMap<string, string>): CustomerProfile[] {
  const iso = (ms: number) => new Date(ms).toISOString();
  return c.id.map((id, i) => {
    const trail: Record<(typeof KINDS)[number], BehaviourItem[]> = {
      viewed: [],
      carted: [],
      wishlisted: [],
    };
    for (const [kind, sku, at, _via, dwell] of c.trail[i] ?? []) {
      const name = names.get(sku);
      trail[KINDS[kind] ?? 'viewed'].push({
        sku,
        at: iso(at),
        ...(name === undefined ? {} : { name }),
        ...(dwell === null ? {} : { dwellSeconds: dwell }),
      });
    }
    const [top, bottom, dress, shoe] = c.sizes[i] ?? [null, null, null, null];
    return {
      id,
      seq: c.seq[i]!,
      name: c.name[i]!,
      phoneLast4: c.phoneLast4[i] ?? null,
      phoneTag: c.phoneTag[i] ?? null,
      memberCode: c.memberCode[i]!,
      tier: c.tier[i]!,
      points: c.points[i]!,
      gender: c.gender[i]!,
      birthday: c.birthday[i] ?? null,
      sizes: {
        ...(top === null ? {} : { top }),
        ...(bottom === null ? {} : { bottom }),
        ...(dress === null ? {} : { dress }),
        ...(shoe === null ? {} : { shoe }),
      },
      favouriteCategories: c.favouriteCategories[i]!,
      homeStoreId: c.homeStoreId[i] ?? null,
      tags: c.tags[i]!,
      notes: c.notes[i]!,
      online: {
        ...trail,
        onlineOrders: c.onlineOrders[i]!,
        onlineSpend: c.onlineSpend[i]!,
      },
      inStore: { storeOrders: c.storeOrders[i]!, storeSpend: c.storeSpend[i]!, lastPurchases: [] },
      lifetimeSpend: c.lifetimeSpend[i]!,
    };
  });
}

const db = await openDatabase({ dataDir: args.hub });
let text: string;
try {
  const rows = await db.query<{ seq: string }>(
    'select seq::text as seq from customers order by seq offset (select count(*) / 2 from customers) limit 1',
  );
  const after = rows[0]?.seq;
  if (!after) throw new Error('no customers in that data dir: seed it first (hub:seed)');
  const page = await customerFeedPage(db, { after, limit: LIMIT });
  console.log(`page of ${page.count} profiles, ${page.stored} from stored feed JSON`);
  text = page.itemsJson.toString('utf8');
} finally {
  await db.close();
}

const profiles = z.array(customerProfile);
const page = profiles.parse(JSON.parse(text));
const rows = page.map(toCachedCustomer);
const blocks = Array.from({ length: Math.ceil(rows.length / BLOCK_SIZE) }, (_, b) => ({
  id: b,
  rows: rows.slice(b * BLOCK_SIZE, (b + 1) * BLOCK_SIZE),
}));
const compact = JSON.stringify(toColumns(page));
const names = new Map<string, string>();
for (const c of page)
  for (const kind of KINDS) for (const t of c.online[kind]) if (t.name) names.set(t.sku, t.name);
const parsedColumns = columns.parse(JSON.parse(compact));
if (!isDeepStrictEqual(fromColumns(parsedColumns, names), page))
  throw new Error('columns do not round-trip to the same profiles');

console.log(`today's format: ${(text.length / 1e6).toFixed(2)} MB`);
time('  JSON.parse', () => JSON.parse(text));
time('  zod (customerProfile per item)', () => profiles.parse(page));
time('  cache rows (toCachedCustomer)', () => page.map(toCachedCustomer));
time(`  structured clone of ${blocks.length} blocks (v8.serialize)`, () =>
  blocks.map((b) => serialize(b)),
);
console.log(`as columns: ${(compact.length / 1e6).toFixed(2)} MB`);
time('  JSON.parse', () => JSON.parse(compact));
time('  zod (column schema)', () => columns.parse(parsedColumns));
time('  profiles rebuilt from columns', () => fromColumns(parsedColumns, names));
