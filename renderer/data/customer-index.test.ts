import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeyIndex, type CustomerKeys } from './customer-index';

/** The keys of one block: customers `c<block>-<i>` named by `name(i)`. */
function block(id: number, size: number, name: (i: number) => string): CustomerKeys {
  const ids = Array.from({ length: size }, (_, i) => `c${id}-${String(i).padStart(3, '0')}`);
  const names = ids.map((_, i) => name(i));
  return {
    id,
    ids,
    memberCodes: ids.map((x) => `M-${x}`),
    phoneLast4: ids.map(() => null),
    phoneTags: ids.map(() => null),
    names,
    initials: names.map((n) => n.toLowerCase()),
    tiers: ids.map(() => 'regular' as const),
  };
}

const SURNAMES = ['Wang', 'Li', 'Zhang', 'Liu', 'Chen'];
const names = (index: KeyIndex, prefix = '') =>
  index.byNamePrefix(prefix, 10_000).map((s) => `${s.name}|${s.id}`);
const initials = (index: KeyIndex, prefix = '') =>
  index.byInitialsPrefix(prefix, 10_000).map((s) => s.id);
/** What a fresh index over the same blocks answers (sorted from scratch). */
const fresh = (blocks: CustomerKeys[]) => new KeyIndex(blocks);

describe('customer key index: sorted name and initials orders', () => {
  afterEach(() => vi.restoreAllMocks());

  const start = () => {
    const blocks = [0, 1, 2].map((b) =>
      block(b, 100, (i) => `${SURNAMES[(i + b) % 5]} ${String(i % 7)}`),
    );
    const index = new KeyIndex(blocks);
    // Built on first use.
    expect(names(index)).toHaveLength(300);
    expect(initials(index)).toHaveLength(300);
    return { blocks, index };
  };

  it('a live change moves only the changed customer: no sort of everyone again', () => {
    const { blocks, index } = start();
    // A live pull rewrites the whole block, with one customer renamed.
    const changed = {
      ...blocks[1]!,
      names: [...blocks[1]!.names],
      initials: [...blocks[1]!.initials],
    };
    changed.names[42] = 'Aaron';
    changed.initials[42] = 'a';
    const sort = vi.spyOn(Array.prototype, 'sort');
    index.put(changed);
    const after = names(index);
    const afterInitials = initials(index);
    // Only the few-element sorts of the search itself (none for prefix searches), not 300 entries.
    expect(sort.mock.calls.length).toBe(0);
    sort.mockRestore();
    expect(after[0]).toBe('Aaron|c1-042');
    expect(after).toEqual(names(fresh([blocks[0]!, changed, blocks[2]!])));
    expect(afterInitials).toEqual(initials(fresh([blocks[0]!, changed, blocks[2]!])));
    expect(names(index, 'Aa')).toEqual(['Aaron|c1-042']);
  });

  it('new customers in a block and a removed block come and go from the orders', () => {
    const { blocks, index } = start();
    const grown = block(2, 120, (i) => `${SURNAMES[(i + 2) % 5]} ${String(i % 7)}`);
    index.put(grown);
    expect(names(index)).toEqual(names(fresh([blocks[0]!, blocks[1]!, grown])));
    index.remove(0);
    expect(names(index)).toEqual(names(fresh([blocks[1]!, grown])));
    expect(initials(index)).toEqual(initials(fresh([blocks[1]!, grown])));
    expect(names(index)).toHaveLength(220);
  });

  it('many changes between two searches (a sync page) drop the orders: sorted again, same answers', () => {
    const { blocks, index } = start();
    const added = Array.from({ length: 12 }, (_, n) => block(3 + n, 100, (i) => `Bo ${n}-${i}`));
    for (const b of added) index.put(b);
    const sort = vi.spyOn(Array.prototype, 'sort');
    const after = names(index);
    expect(sort).toHaveBeenCalled();
    sort.mockRestore();
    expect(after).toHaveLength(1500);
    expect(after).toEqual(names(fresh([...blocks, ...added])));
    expect(initials(index)).toEqual(initials(fresh([...blocks, ...added])));
  });

  it('equal names keep id order, also for a customer moved away and back among them', () => {
    const blocks = [block(0, 5, () => 'Same'), block(1, 5, () => 'Same')];
    const index = new KeyIndex(blocks);
    expect(names(index)).toEqual(names(fresh(blocks)));
    const away = { ...blocks[0]!, names: blocks[0]!.names.map((n, i) => (i === 2 ? 'Other' : n)) };
    index.put(away);
    expect(names(index)).toEqual(names(fresh([away, blocks[1]!])));
    index.put({ ...blocks[0]!, names: [...blocks[0]!.names] });
    expect(names(index)).toEqual(names(fresh(blocks)));
  });
});

describe('customer key index: built a slice at a time (app start)', () => {
  const many = () =>
    Array.from({ length: 250 }, (_, b) =>
      block(b, 3, (i) => `${SURNAMES[(b + i) % 5]} ${String((b * 3 + i) % 11)}`),
    );

  it('answers exactly as an index built in one piece, pausing between slices', async () => {
    const records = many();
    let pauses = 0;
    const pause = async () => {
      pauses++;
    };
    const paced = await KeyIndex.build(records, 7, pause);
    expect(pauses).toBeGreaterThanOrEqual(2);
    expect(paced.stamp).toBe(7);
    await paced.prepareOrders(pause);
    const whole = fresh(records);
    expect(names(paced)).toEqual(names(whole));
    expect(initials(paced)).toEqual(initials(whole));
    expect(paced.byMemberCode('M-c249-002', 5)).toEqual(whole.byMemberCode('M-c249-002', 5));
    expect(paced.byId.size).toBe(750);
    expect(paced.lastBlock).toBe(249);
  });

  it('sorted ahead of the first search: that search sorts nothing', async () => {
    const index = await KeyIndex.build(many(), 0, async () => undefined);
    await index.prepareOrders(async () => undefined);
    const sort = vi.spyOn(Array.prototype, 'sort');
    expect(names(index, 'Li')).not.toHaveLength(0);
    expect(initials(index, 'wang')).not.toHaveLength(0);
    expect(sort).not.toHaveBeenCalled();
  });

  it('a write during the paced sort is not lost: the orders are left to the next search', async () => {
    const records = many();
    const index = new KeyIndex(records);
    const renamed = { ...records[3]!, names: ['Aaron', 'Abel', 'Ada'], initials: ['a', 'a', 'a'] };
    let wrote = false;
    await index.prepareOrders(async () => {
      if (wrote) return;
      wrote = true;
      index.put(renamed);
    });
    expect(wrote).toBe(true);
    const expected = fresh(records.map((r) => (r.id === 3 ? renamed : r)));
    expect(names(index)).toEqual(names(expected));
    expect(initials(index)).toEqual(initials(expected));
    expect(names(index, 'A')).toEqual(['Aaron|c3-000', 'Abel|c3-001', 'Ada|c3-002']);
  });
});
