import { describe, expect, it, vi } from 'vitest';
import { toCachedCustomer, type CachedCustomer } from './customer-rows';
import { BLOCK_SIZE } from './customer-index';
import { TerminalDb } from './database';
import { newId } from '../../shared/domain/ids';
import { freshDb, freshIdb, makeProfile } from './testing';

async function rows(count: number, name = (i: number) => `客${i}`): Promise<CachedCustomer[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) =>
      toCachedCustomer(
        await makeProfile({
          name: name(i),
          memberCode: `M${String(i).padStart(5, '0')}`,
          phone: `+86137${String(i).padStart(8, '0')}`,
        }),
      ),
    ),
  );
}

/** Polls until `check` holds: bounded by time (10 s), not by a count of 10 ms steps. */
const until = async (check: () => Promise<boolean>) => {
  const deadline = Date.now() + 10_000;
  do {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  } while (Date.now() < deadline);
  if (await check()) return;
  throw new Error('condition not reached');
};

describe('packed customer store', () => {
  it('packs customers 100 to a record and finds each by every key', async () => {
    const db = freshDb();
    const all = await rows(250);
    await db.customerStore.upsert(all.slice(0, 130));
    await db.customerStore.upsert(all.slice(130));
    const blocks = await db.customerStore.blocks();
    // The second write's 120 new rows: 100 in a new block, the 20 left over top up the block of
    // 30 (new rows fill whole blocks first, customer-upsert.ts).
    expect(blocks.map((b) => b.rows.length)).toEqual([BLOCK_SIZE, 50, BLOCK_SIZE]);
    expect(await db.customerStore.count()).toBe(250);
    const one = all[137]!;
    expect(await db.customerStore.get(one.id)).toEqual(one);
    expect((await db.customerStore.byMemberCode(one.memberCode, 5)).map((c) => c.id)).toEqual([
      one.id,
    ]);
    expect((await db.customerStore.byPhone(one.phoneLast4!, one.phoneTag!, 5))[0]).toMatchObject({
      id: one.id,
      name: one.name,
      tier: one.tier,
      phoneLast4: one.phoneLast4,
      provisional: false,
    });
    expect((await db.customerStore.byLast4(one.phoneLast4!, 5)).map((c) => c.id)).toEqual([one.id]);
  });

  it('replaces a known customer in its own block; the last of two versions in one write wins', async () => {
    const db = freshDb();
    const all = await rows(150);
    await db.customerStore.upsert(all);
    const target = all[20]!;
    await db.customerStore.upsert([
      { ...target, name: '第一次' },
      { ...target, name: '改名', memberCode: 'NEW-CODE' },
    ]);
    expect(await db.customerStore.count()).toBe(150);
    expect(await db.customerBlocks.count()).toBe(2);
    expect((await db.customerStore.get(target.id))?.name).toBe('改名');
    expect(await db.customerStore.byMemberCode(target.memberCode, 5)).toEqual([]);
    expect((await db.customerStore.byMemberCode('NEW-CODE', 5)).map((c) => c.id)).toEqual([
      target.id,
    ]);
    expect((await db.customerStore.byNamePrefix('改', 5)).map((c) => c.id)).toEqual([target.id]);
  });

  it('a change that keeps the lookup keys is one override row; a change of keys rewrites the block', async () => {
    const db = freshDb();
    const all = await rows(250);
    await db.customerStore.upsert(all);
    const x = all[120]!;
    const blocksBefore = await db.customerBlocks.toArray();
    // Points and the online trail changed: the block is not rewritten.
    const richer = { ...x, points: x.points + 50 };
    await db.customerStore.upsert([richer]);
    expect(await db.customerBlocks.toArray()).toEqual(blocksBefore);
    expect(await db.customerStore.overrides()).toEqual([richer]);
    // Stored sealed: only the id is readable in the row.
    expect(Object.keys((await db.customerOverrides.toArray())[0]!).sort()).toEqual([
      'id',
      'sealed',
    ]);
    expect(await db.customerStore.get(x.id)).toEqual(richer);
    expect((await db.customerStore.all()).find((c) => c.id === x.id)).toEqual(richer);
    // A new name: the block takes the row, the override goes, lookups follow.
    const renamed = toCachedCustomer({ ...richer, name: '新名字' });
    await db.customerStore.upsert([renamed]);
    expect(await db.customerOverrides.count()).toBe(0);
    expect(await db.customerStore.get(x.id)).toEqual(renamed);
    expect((await db.customerStore.byNamePrefix('新名', 5)).map((c) => c.id)).toEqual([x.id]);
    // Another override, then the customer leaves: nothing of it stays behind.
    await db.customerStore.upsert([{ ...renamed, points: 1 }]);
    expect(await db.customerOverrides.count()).toBe(1);
    await db.customerStore.remove([x.id]);
    expect(await db.customerOverrides.count()).toBe(0);
    expect(await db.customerStore.get(x.id)).toBeUndefined();
    expect(await db.customerStore.count()).toBe(249);
  });

  it('removes customers; an emptied block goes away', async () => {
    const db = freshDb();
    const all = await rows(120);
    await db.customerStore.upsert(all);
    await db.customerStore.remove([...all.slice(100).map((r) => r.id), all[0]!.id, 'unknown-id']);
    expect(await db.customerStore.count()).toBe(99);
    expect(await db.customerBlocks.count()).toBe(1);
    expect(await db.customerStore.get(all[0]!.id)).toBeUndefined();
    expect(await db.customerStore.byMemberCode(all[110]!.memberCode, 5)).toEqual([]);
    // New customers fill the last block again.
    await db.customerStore.upsert(await rows(1, () => '新客'));
    expect((await db.customerStore.blocks()).map((b) => b.rows.length)).toEqual([100]);
  });

  it('name and initials prefixes come in key order, then id, at most the limit', async () => {
    const db = freshDb();
    const names = ['王芳', '王伟', '李娜', '王芳芳', 'Anna'];
    const all = await rows(names.length, (i) => names[i]!);
    await db.customerStore.upsert(all);
    const namesOf = (list: { name: string }[]) => list.map((c) => c.name);
    expect(namesOf(await db.customerStore.byNamePrefix('王', 10))).toEqual([
      '王伟',
      '王芳',
      '王芳芳',
    ]);
    expect(namesOf(await db.customerStore.byNamePrefix('王', 2))).toEqual(['王伟', '王芳']);
    expect(namesOf(await db.customerStore.byInitialsPrefix('wf', 10))).toEqual(['王芳', '王芳芳']);
    expect(namesOf(await db.customerStore.byInitialsPrefix('a', 10))).toEqual(['Anna']);
    expect(await db.customerStore.byNamePrefix('张', 10)).toEqual([]);
  });

  it('a write whose transaction fails leaves nothing behind, in IndexedDB or in the index', async () => {
    const db = freshDb();
    const [kept, lost] = await rows(2);
    await db.customerStore.upsert([kept!]);
    await expect(
      db.transaction('rw', db.customerStore.tables, async () => {
        await db.customerStore.upsert([lost!]);
        await db.customerStore.remove([kept!.id]);
        throw new Error('crash between steps');
      }),
    ).rejects.toThrow('crash between steps');
    expect(await db.customerStore.count()).toBe(1);
    expect(await db.customerStore.get(kept!.id)).toEqual(kept);
    expect(await db.customerStore.byMemberCode(lost!.memberCode, 5)).toEqual([]);
  });

  it('another window of the same terminal sees a write once it commits', async () => {
    const idb = freshIdb();
    const a = new TerminalDb('shared', idb);
    const b = new TerminalDb('shared', idb);
    const all = await rows(3);
    await a.customerStore.upsert(all.slice(0, 1));
    expect(await b.customerStore.count()).toBe(1);
    await a.customerStore.upsert(all.slice(1));
    await until(async () => (await b.customerStore.count()) === 3);
    expect((await b.customerStore.byMemberCode(all[2]!.memberCode, 5))[0]?.id).toBe(all[2]!.id);
    a.close();
    b.close();
  });

  it('a write right after another window wrote never trusts a stale index', async () => {
    const idb = freshIdb();
    const a = new TerminalDb('race', idb);
    const b = new TerminalDb('race', idb);
    const [x, y, z] = await rows(3);
    // Both windows have their index loaded; A never hears of B's writes (as if B's notice were
    // still on its way), so only the stored write stamp can tell A its index is stale.
    vi.stubGlobal('BroadcastChannel', undefined);
    expect(await a.customerStore.count()).toBe(0);
    vi.unstubAllGlobals();
    expect(await b.customerStore.count()).toBe(0);
    // B writes two customers; A then writes a newer version of one and a third customer.
    await b.customerStore.upsert([x!, z!]);
    await a.customerStore.upsert([{ ...x!, name: '新版本' }, y!]);
    // Nothing overwritten, nothing twice: one block, both customers, the newer version.
    expect(await a.customerBlocks.count()).toBe(1);
    const names = (await a.customerStore.all()).map((c) => c.name).sort();
    expect(names).toEqual(['新版本', y!.name, z!.name].sort());
    expect(await a.customerStore.count()).toBe(3);
    await until(async () => (await b.customerStore.get(x!.id))?.name === '新版本');
    expect(await b.customerStore.count()).toBe(3);
    a.close();
    b.close();
  });

  it('a write prepared (sealed) ahead of its transaction lands as the same blocks and overrides', async () => {
    const db = freshDb();
    const all = await rows(250);
    const first = all.slice(0, 130);
    const prepared = await db.customerStore.prepare(first);
    expect(prepared?.blocks).toHaveLength(2);
    // Nothing sealed is clear: the prepared blocks are envelopes only.
    expect(JSON.stringify(prepared?.blocks)).not.toContain(first[0]!.name);
    await db.customerStore.upsert(first, prepared);
    // Tops up the last block, rewrites one customer's keys, changes another's points only.
    const next = [
      ...all.slice(130),
      { ...all[3]!, name: '新名字' },
      { ...all[120]!, points: 4242 },
    ];
    const again = await db.customerStore.prepare(next);
    expect(again?.overrides).toHaveLength(1);
    await db.customerStore.upsert(next, again);
    const blocks = await db.customerStore.blocks();
    expect(blocks.map((b) => b.rows.length)).toEqual([BLOCK_SIZE, 50, BLOCK_SIZE]);
    expect(await db.customerStore.count()).toBe(250);
    expect((await db.customerStore.get(all[3]!.id))?.name).toBe('新名字');
    expect(await db.customerStore.byNamePrefix('新名字', 5)).toHaveLength(1);
    expect((await db.customerStore.get(all[120]!.id))?.points).toBe(4242);
    expect(await db.customerStore.get(all[249]!.id)).toEqual(all[249]);
    db.close();
  });

  it('a prepared write is not used once another write (this window or another) moved the store', async () => {
    const idb = freshIdb();
    const a = new TerminalDb('prepared-race', idb);
    const b = new TerminalDb('prepared-race', idb);
    const all = await rows(160);
    await a.customerStore.upsert(all.slice(0, 50));
    // A prepares 50 new customers (topping up block 0) ...
    const mine = all.slice(50, 100);
    const prepared = await a.customerStore.prepare(mine);
    expect(prepared).not.toBeNull();
    // ... then another window writes 60 others into the same last block before A's transaction.
    await b.customerStore.upsert(all.slice(100));
    await a.customerStore.upsert(mine, prepared);
    // Nobody's customers lost, nobody twice, block 0 not overwritten with A's stale copy.
    expect(await a.customerStore.count()).toBe(160);
    const ids = (await a.customerStore.all()).map((c) => c.id).sort();
    expect(ids).toEqual(all.map((c) => c.id).sort());
    // Same in this window: a prepared write after its own later write is redone too.
    const more = await rows(3, (i) => `后${i}`);
    const stale = await a.customerStore.prepare(more.slice(0, 2));
    await a.customerStore.upsert(more.slice(2));
    await a.customerStore.upsert(more.slice(0, 2), stale);
    expect(await a.customerStore.count()).toBe(163);
    expect(new Set((await a.customerStore.all()).map((c) => c.id)).size).toBe(163);
    a.close();
    b.close();
  });

  it('reads racing a write never leave a stale index behind', async () => {
    const db = freshDb();
    const all = await rows(300);
    await db.customerStore.upsert(all.slice(0, 100));
    db.customerStore.drop();
    // A read starts loading the index while a write commits.
    const reading = db.customerStore.count();
    await db.customerStore.upsert(all.slice(100));
    expect([100, 300]).toContain(await reading);
    expect(await db.customerStore.count()).toBe(300);
  });

  it('a load finishes while another window keeps writing (its notices keep dropping the index)', async () => {
    const db = freshDb();
    const all = await rows(150);
    await db.customerStore.upsert(all);
    db.customerStore.drop();
    // A notice from the other window arrives during every read of the key records.
    const where = db.customerKeys.where.bind(db.customerKeys);
    const reads = vi.spyOn(db.customerKeys, 'where').mockImplementation(((index: string) => {
      db.customerStore.drop();
      return where(index);
    }) as typeof db.customerKeys.where);
    const count = await db.customerStore.count();
    // Read again a bounded number of times, then answered from the last read.
    expect(reads.mock.calls.length).toBeLessThanOrEqual(3);
    expect(count).toBe(150);
    reads.mockRestore();
    expect(await db.customerStore.count()).toBe(150);
  });

  it('ready() loads the index outside any transaction: a write after it does not read the keys again', async () => {
    const db = freshDb();
    const all = await rows(250);
    await db.customerStore.upsert(all.slice(0, 200));
    db.customerStore.drop();
    await db.customerStore.ready();
    const reads = vi.spyOn(db.customerKeys, 'toArray');
    await db.transaction('rw', db.customerStore.tables, () =>
      db.customerStore.upsert(all.slice(200)),
    );
    expect(reads).not.toHaveBeenCalled();
    expect(await db.customerStore.count()).toBe(250);
    expect((await db.customerStore.byNamePrefix('客249', 5)).map((c) => c.id)).toEqual([
      all[249]!.id,
    ]);
  });

  it('loads an index of more key records than one read takes (slices of 100 records)', async () => {
    const db = freshDb();
    const [base] = await rows(1);
    const many = Array.from({ length: 101 * BLOCK_SIZE + 7 }, (_, i) =>
      toCachedCustomer({
        ...base!,
        id: newId(),
        name: `客${String(i).padStart(5, '0')}`,
        memberCode: `N${i}`,
      }),
    );
    await db.customerStore.upsert(many);
    expect(await db.customerKeys.count()).toBe(102);
    db.customerStore.drop();
    await db.customerStore.warm();
    expect(await db.customerStore.count()).toBe(many.length);
    for (const i of [0, 9_999, 10_000, many.length - 1])
      expect((await db.customerStore.byMemberCode(`N${i}`, 5)).map((c) => c.id)).toEqual([
        many[i]!.id,
      ]);
    expect((await db.customerStore.byNamePrefix('客1010', 50)).map((c) => c.name)).toEqual(
      Array.from({ length: 7 }, (_, i) => `客1010${i}`),
    );
  });

  it('warm() leaves the index and its sorted orders ready for the first search', async () => {
    const db = freshDb();
    const all = await rows(120);
    await db.customerStore.upsert(all);
    db.customerStore.drop();
    await db.customerStore.warm();
    const sort = vi.spyOn(Array.prototype, 'sort');
    const reads = vi.spyOn(db.customerKeys, 'toArray');
    const found = await db.customerStore.byNamePrefix('客11', 50);
    expect(sort).not.toHaveBeenCalled();
    expect(reads).not.toHaveBeenCalled();
    sort.mockRestore();
    expect(found.map((c) => c.name)).toEqual([
      '客11',
      ...Array.from({ length: 10 }, (_, i) => `客11${i}`),
    ]);
  });
});
