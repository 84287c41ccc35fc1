/**
 * The packed customer store against a plain map: random batches of inserts, updates and removals
 * (ids reused, several versions of one id in a batch, blocks filling and emptying, changes of
 * lookup keys and changes that leave them alone — override rows), transactions
 * that fail halfway, the in-memory index dropped (app restart) and a second window reading. After
 * every step the store holds exactly the model's customers, every lookup agrees with the model
 * (the sorted name and initials orders entry for entry, whether a write moved entries in them or
 * dropped them for a re-sort), and every block's key record matches its rows.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Tier } from '../../shared/protocol';
import type { CachedCustomer } from './customer-rows';
import { BLOCK_SIZE, keysOf } from './customer-index';
import { TerminalDb } from './database';
import { freshIdb, makeProfile, propertyRuns } from './testing';
import { toCachedCustomer } from './customer-rows';

/**
 * One version of a customer: `keys` picks one of three sets of lookup keys for that id (name,
 * member code, last 4), so a later version often keeps them (an override row) and often not.
 */
type Version = { id: number; keys: number; points: number };
type Op =
  | { kind: 'upsert'; rows: Version[] }
  | { kind: 'remove'; ids: number[] }
  | { kind: 'failedWrite'; rows: Version[]; ids: number[] }
  | { kind: 'restart' };

const version = fc.record({
  // Any of 260 customers (blocks fill and empty), often one of a few hot ones (changed again
  // and again, as at a peak).
  id: fc.oneof(fc.nat({ max: 259 }), fc.nat({ max: 7 })),
  keys: fc.nat({ max: 2 }),
  // not a lookup key: a change of points alone is written as an override row
  points: fc.nat({ max: 2 }),
});
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('upsert' as const),
      rows: fc.array(version, { maxLength: 150 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('remove' as const),
      ids: fc.array(fc.nat({ max: 259 }), { maxLength: 80 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('failedWrite' as const),
      rows: fc.array(version, { maxLength: 40 }),
      ids: fc.array(fc.nat({ max: 259 }), { maxLength: 20 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
);

const NAMES = ['王芳', '王伟', '王芳芳', '李娜', 'Anna', '张三'];
const TIERS: Tier[] = ['regular', 'silver', 'gold'];

const runs = propertyRuns(200, 100);

describe('packed customer store (property)', () => {
  it(
    'always equals a plain map of the customers written, through failures and restarts',
    async () => {
      // One base profile per id, reused (makeProfile hashes a phone: slow to call per version).
      const base = await Promise.all(Array.from({ length: 260 }, () => makeProfile()));
      const row = (v: Version): CachedCustomer =>
        toCachedCustomer({
          ...base[v.id]!,
          name: NAMES[(v.id + v.keys) % NAMES.length]!,
          memberCode: `M${(v.id * 7 + v.keys) % 31}`,
          phoneLast4: `000${(v.id + v.keys) % 5}`,
          phoneTag: ((v.id + v.keys) % 5) * 100 + (v.id % 3),
          tier: TIERS[v.id % 3]!,
          points: v.points,
        });

      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), async (ops) => {
          const idb = freshIdb();
          let db = new TerminalDb('prop', idb);
          const model = new Map<string, CachedCustomer>();
          try {
            for (const step of ops) {
              if (step.kind === 'upsert') {
                const rows = step.rows.map(row);
                await db.customerStore.upsert(rows);
                for (const r of rows) model.set(r.id, r);
              } else if (step.kind === 'remove') {
                const ids = step.ids.map((i) => base[i]!.id);
                await db.customerStore.remove(ids);
                for (const id of ids) model.delete(id);
              } else if (step.kind === 'failedWrite') {
                await db
                  .transaction('rw', db.customerStore.tables, async () => {
                    await db.customerStore.upsert(step.rows.map(row));
                    await db.customerStore.remove(step.ids.map((i) => base[i]!.id));
                    throw new Error('crash');
                  })
                  .catch(() => undefined);
              } else {
                db.close();
                db = new TerminalDb('prop', idb);
              }
              await expectEqual(db, model);
            }
            // A second window reads the same customers.
            const other = new TerminalDb('prop', idb);
            await expectEqual(other, model);
            other.close();
          } finally {
            db.close();
          }
        }),
        { numRuns: runs.numRuns },
      );
    },
    runs.timeout,
  );
});

async function expectEqual(db: TerminalDb, model: Map<string, CachedCustomer>): Promise<void> {
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
  const all = await db.customerStore.all();
  expect(all.sort(byId)).toEqual([...model.values()].sort(byId));
  expect(await db.customerStore.count()).toBe(model.size);
  const blocks = await db.customerStore.blocks();
  expect(blocks.every((b) => b.rows.length > 0 && b.rows.length <= BLOCK_SIZE)).toBe(true);
  expect(await db.customerKeys.toArray()).toEqual(blocks.map(keysOf));
  // Overrides only for customers still cached, with the keys their block's key record holds.
  const keysById = new Map(
    blocks.flatMap((b) => {
      const keys = keysOf(b);
      return b.rows.map((r, at) => [r.id, { name: keys.names[at], code: keys.memberCodes[at] }]);
    }),
  );
  for (const o of await db.customerStore.overrides()) {
    expect(model.has(o.id)).toBe(true);
    expect(keysById.get(o.id)).toEqual({ name: o.name, code: o.memberCode });
  }

  const ids = (list: { id: string }[]) => list.map((c) => c.id).sort();
  const expected = (match: (c: CachedCustomer) => boolean) =>
    [...model.values()]
      .filter(match)
      .map((c) => c.id)
      .sort();
  for (const code of ['M0', 'M7', 'M30']) {
    expect(ids(await db.customerStore.byMemberCode(code, 500))).toEqual(
      expected((c) => c.memberCode === code),
    );
  }
  for (const last4 of ['0000', '0003']) {
    expect(ids(await db.customerStore.byLast4(last4, 500))).toEqual(
      expected((c) => c.phoneLast4 === last4),
    );
    const tag = Number(last4.at(-1)) * 100 + 1;
    expect(ids(await db.customerStore.byPhone(last4, tag, 500))).toEqual(
      expected((c) => c.phoneLast4 === last4 && c.phoneTag === tag),
    );
  }
  for (const prefix of ['王', '王芳', 'A', '赵']) {
    const found = await db.customerStore.byNamePrefix(prefix, 500);
    expect(ids(found)).toEqual(expected((c) => c.name.startsWith(prefix)));
    const names = found.map((c) => c.name);
    expect(names).toEqual([...names].sort());
  }
  expect(ids(await db.customerStore.byInitialsPrefix('wf', 500))).toEqual(
    expected((c) => c.initials.startsWith('wf')),
  );
  // The whole name and initials orders (kept current by each write, or sorted again after a
  // large one): every customer, by key then id.
  const inOrder = (key: (c: CachedCustomer) => string) =>
    [...model.values()]
      .map((c) => ({ key: key(c), id: c.id }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? -1 : 1))
      .map((e) => e.id);
  expect((await db.customerStore.byNamePrefix('', 500)).map((c) => c.id)).toEqual(
    inOrder((c) => c.name),
  );
  expect((await db.customerStore.byInitialsPrefix('', 500)).map((c) => c.id)).toEqual(
    inOrder((c) => c.initials),
  );
  // Every summary matches its row.
  for (const c of [...model.values()].slice(0, 5)) {
    expect(await db.customerStore.summary(c.id)).toEqual({
      id: c.id,
      name: c.name,
      tier: c.tier,
      phoneLast4: c.phoneLast4,
      memberCode: c.memberCode,
      provisional: false,
    });
    expect(await db.customerStore.get(c.id)).toEqual(c);
  }
}
