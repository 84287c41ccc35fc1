import type { CustomerKeys } from './customer-index';

/**
 * The customer index's sorted orders (name, pinyin initials): built a slice at a time, kept
 * current by moving only the changed entries, searched by prefix with a binary search. Pure
 * functions over arrays of (key, id); `KeyIndex` in customer-index.ts owns the arrays.
 */
export type Ordered = { key: string; id: string }[];

export const byKeyThenId = (a: { key: string; id: string }, b: { key: string; id: string }) =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** Customers handled between two pauses while a sorted order is built. */
const ORDER_SLICE = 20_000;

/**
 * Every customer by one key column, in (key, id) order, as a generator that yields between
 * slices (see `finish` and `paced`). Customers are grouped by key first and only the distinct
 * keys sorted (≈ 44,000 names and 4,500 initials among 200,000 customers here): about twice as
 * fast as sorting every entry with a comparator. Keys compare by UTF-16 code units, as `<` does.
 */
export function* orderOf(
  blocks: ReadonlyMap<number, CustomerKeys>,
  column: (keys: CustomerKeys) => string[],
): Generator<void, Ordered> {
  const groups = new Map<string, string[]>();
  let seen = 0;
  for (const keys of blocks.values()) {
    const values = column(keys);
    keys.ids.forEach((id, at) => {
      const key = values[at]!;
      const ids = groups.get(key);
      if (ids) ids.push(id);
      else groups.set(key, [id]);
    });
    seen += keys.ids.length;
    if (seen >= ORDER_SLICE) {
      seen = 0;
      yield;
    }
  }
  const sorted = [...groups.keys()].sort();
  yield;
  const out: Ordered = [];
  for (const key of sorted) {
    const ids = groups.get(key)!;
    if (ids.length > 1) ids.sort();
    for (const id of ids) out.push({ key, id });
    seen += ids.length;
    if (seen >= ORDER_SLICE) {
      seen = 0;
      yield;
    }
  }
  return out;
}

/** Runs a sliced piece of work to its end in one go (inside a transaction, or when asked now). */
export function finish<T>(work: Generator<void, T>): T {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
  }
}

/** Runs a sliced piece of work with `pause()` between slices, so the page can respond. */
export async function paced<T>(work: Generator<void, T>, pause: () => Promise<void>): Promise<T> {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
    await pause();
  }
}

/**
 * Entries the sorted orders may move between two prefix searches before they are dropped instead:
 * each move is a splice (≈ 50 µs at 200,000 customers), a new sort ≈ 0.3 s per order.
 */
export const REORDER_BUDGET = 2000;

/** The (key, id) entries of one column that leave and that arrive when `old` becomes `next`. */
export function changedEntries(
  old: CustomerKeys | undefined,
  next: CustomerKeys | undefined,
  column: (keys: CustomerKeys) => string[],
): { gone: Ordered; come: Ordered } {
  const before = new Map<string, string>();
  if (old) {
    const values = column(old);
    old.ids.forEach((id, at) => before.set(id, values[at]!));
  }
  const come: Ordered = [];
  if (next) {
    const values = column(next);
    next.ids.forEach((id, at) => {
      const key = values[at]!;
      if (before.get(id) === key) before.delete(id);
      else come.push({ key, id });
    });
  }
  return { gone: [...before].map(([id, key]) => ({ key, id })), come };
}

/** First position whose entry is not before `entry` in (key, id) order. */
export function lowerBound(ordered: Ordered, entry: { key: string; id: string }): number {
  let lo = 0;
  let hi = ordered.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (byKeyThenId(ordered[mid]!, entry) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Takes `gone` out of a sorted order and puts `come` in, in place (nothing to do for an order not
 * built). False if an entry to take out is missing: the order no longer matches the blocks.
 */
export function move(order: Ordered | null, gone: Ordered, come: Ordered): boolean {
  if (!order) return true;
  for (const entry of gone) {
    const at = lowerBound(order, entry);
    if (order[at]?.id !== entry.id || order[at]?.key !== entry.key) return false;
    order.splice(at, 1);
  }
  for (const entry of come) order.splice(lowerBound(order, entry), 0, entry);
  return true;
}

/** Ids whose key starts with `prefix`, in key order, at most `limit` (binary search). */
export function prefixRange(ordered: Ordered, prefix: string, limit: number): string[] {
  let lo = 0;
  let hi = ordered.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ordered[mid]!.key < prefix) lo = mid + 1;
    else hi = mid;
  }
  const out: string[] = [];
  for (let i = lo; i < ordered.length && out.length < limit; i++) {
    if (!ordered[i]!.key.startsWith(prefix)) break;
    out.push(ordered[i]!.id);
  }
  return out;
}
