import type { Tier } from '../../shared/protocol';
import type { CachedCustomer } from './customer-rows';
import {
  byKeyThenId,
  changedEntries,
  finish,
  move,
  orderOf,
  paced,
  prefixRange,
  REORDER_BUDGET,
  type Ordered,
} from './sorted-orders';

/**
 * The packed customer records and the in-memory lookup index over them (no IndexedDB here; the
 * store in customer-store.ts reads and writes the records and keeps this index current).
 */
export const BLOCK_SIZE = 100;

/** One record of profiles. */
export type CustomerBlock = { id: number; rows: CachedCustomer[] };

/** The lookup keys of one block, column by column (the in-memory index is built from these). */
export type CustomerKeys = {
  id: number;
  ids: string[];
  memberCodes: string[];
  phoneLast4: (string | null)[];
  /** 11-bit tags of the keyed phone hashes (shared/domain/phone-tag.ts) */
  phoneTags: (number | null)[];
  names: string[];
  initials: string[];
  tiers: Tier[];
};

/** What a search result list shows; the full profile is read when one is opened. */
export type CustomerSummary = {
  id: string;
  name: string;
  tier: Tier;
  /** the 尾号: what the counter shows of a phone */
  phoneLast4: string | null;
  memberCode: string;
  /** registered on this terminal, not yet confirmed by the hub */
  provisional: boolean;
};

export function keysOf(block: CustomerBlock): CustomerKeys {
  const rows = block.rows;
  return {
    id: block.id,
    ids: rows.map((r) => r.id),
    memberCodes: rows.map((r) => r.memberCode),
    phoneLast4: rows.map((r) => r.phoneLast4),
    phoneTags: rows.map((r) => r.phoneTag),
    names: rows.map((r) => r.name),
    initials: rows.map((r) => r.initials),
    tiers: rows.map((r) => r.tier),
  };
}

/** Packs rows into consecutive blocks from `firstId` (initial loads and the v5 migration). */
export function packBlocks(rows: readonly CachedCustomer[], firstId: number): CustomerBlock[] {
  const blocks: CustomerBlock[] = [];
  for (let i = 0; i < rows.length; i += BLOCK_SIZE)
    blocks.push({ id: firstId + blocks.length, rows: rows.slice(i, i + BLOCK_SIZE) });
  return blocks;
}

type Location = { block: number; at: number };

const add = (map: Map<string, string[]>, key: string, id: string) => {
  const list = map.get(key);
  if (list) list.push(id);
  else map.set(key, [id]);
};
const drop = (map: Map<string, string[]>, key: string, id: string) => {
  const list = map.get(key);
  if (!list) return;
  const kept = list.filter((x) => x !== id);
  if (kept.length === 0) map.delete(key);
  else map.set(key, kept);
};
/** The key of the full-number lookup: last 4 and tag together (a tag alone is 1 in 2,048). */
const phoneKey = (last4: string, tag: number) => `${last4}:${tag}`;

/** The in-memory lookup index over every block's keys. */
export class KeyIndex {
  readonly blocks = new Map<number, CustomerKeys>();
  readonly byId = new Map<string, Location>();
  private readonly byCode = new Map<string, string[]>();
  private readonly idsByLast4 = new Map<string, string[]>();
  /** last 4 + phone tag → ids (`phoneKey`) */
  private readonly byPhoneKey = new Map<string, string[]>();
  private names: Ordered | null = null;
  private initials: Ordered | null = null;
  /** entries moved in the sorted orders since the last prefix search */
  private moved = 0;
  /** counts every change, so a paced build of the sorted orders can tell one came in between */
  private version = 0;
  lastBlock = -1;

  /**
   * @param stamp the write counter stored with the records (`customerMeta`) when they were read:
   *   a write transaction that finds another value knows another window wrote since.
   */
  constructor(
    records: readonly CustomerKeys[],
    public stamp = 0,
  ) {
    finish(this.putAll(records));
  }

  /**
   * The same index built a slice at a time with `pause()` between slices, so a large cache
   * (≈ 1 s of work at 200,000 customers, ≈ 0.7 s of it in one piece before) never freezes the
   * screen for long while the app starts. Not for use inside a transaction: pausing lets it commit.
   */
  static async build(
    records: readonly CustomerKeys[],
    stamp: number,
    pause: () => Promise<void>,
  ): Promise<KeyIndex> {
    const index = new KeyIndex([], stamp);
    await paced(index.putAll(records), pause);
    return index;
  }

  private *putAll(records: readonly CustomerKeys[]): Generator<void, void> {
    for (let i = 0; i < records.length; i++) {
      this.put(records[i]!);
      if ((i + 1) % PUT_SLICE === 0) yield;
    }
  }

  /**
   * Sorts the name and initials orders ahead of the first prefix search, a slice at a time. Left
   * to the first search (which sorts in one piece) if a write changes the index meanwhile.
   */
  async prepareOrders(pause: () => Promise<void>): Promise<void> {
    const version = this.version;
    for (const column of ['names', 'initials'] as const) {
      const order =
        this[column] ??
        (await paced(
          orderOf(this.blocks, (k) => k[column]),
          pause,
        ));
      if (this.version !== version) return;
      this[column] = order;
    }
  }

  /** Replaces what the index holds for one block. */
  put(keys: CustomerKeys): void {
    this.version++;
    this.reorder(this.blocks.get(keys.id), keys);
    this.removeKeys(keys.id);
    this.blocks.set(keys.id, keys);
    this.lastBlock = Math.max(this.lastBlock, keys.id);
    keys.ids.forEach((id, at) => {
      this.byId.set(id, { block: keys.id, at });
      add(this.byCode, keys.memberCodes[at]!, id);
      const last4 = keys.phoneLast4[at];
      if (last4) add(this.idsByLast4, last4, id);
      const tag = keys.phoneTags[at];
      if (last4 && tag != null) add(this.byPhoneKey, phoneKey(last4, tag), id);
    });
  }

  /** Forgets one block. */
  remove(blockId: number): void {
    this.version++;
    this.reorder(this.blocks.get(blockId), undefined);
    this.removeKeys(blockId);
  }

  private removeKeys(blockId: number): void {
    const old = this.blocks.get(blockId);
    if (!old) return;
    this.blocks.delete(blockId);
    // New customers go to the last block there is.
    if (blockId === this.lastBlock) this.lastBlock = Math.max(-1, ...this.blocks.keys());
    old.ids.forEach((id, at) => {
      if (this.byId.get(id)?.block === blockId) this.byId.delete(id);
      drop(this.byCode, old.memberCodes[at]!, id);
      const last4 = old.phoneLast4[at];
      if (last4) drop(this.idsByLast4, last4, id);
      const tag = old.phoneTags[at];
      if (last4 && tag != null) drop(this.byPhoneKey, phoneKey(last4, tag), id);
    });
  }

  /**
   * Keeps the sorted name and initials orders current when a block changes from `old` to `next`:
   * a live change rewrites its whole block, but only the customers whose key changed move, each
   * by a binary search and a splice. Once more entries moved since the last prefix search than a
   * new sort would cost (a sync page, a bulk update), the orders are dropped instead and sorted
   * again on the next prefix search. Before, every write dropped them, so the first name search
   * after any live change re-sorted every customer (≈ 0.3–0.5 s at 200,000).
   */
  private reorder(old: CustomerKeys | undefined, next: CustomerKeys | undefined): void {
    if (!this.names && !this.initials) return;
    const moves = [
      { order: this.names, column: (k: CustomerKeys) => k.names },
      { order: this.initials, column: (k: CustomerKeys) => k.initials },
    ].map(({ order, column }) => ({ order, ...changedEntries(old, next, column) }));
    this.moved += moves.reduce((n, m) => n + m.gone.length + m.come.length, 0);
    if (this.moved > REORDER_BUDGET || !moves.every((m) => move(m.order, m.gone, m.come))) {
      this.names = null;
      this.initials = null;
    }
  }

  summary(id: string): CustomerSummary | undefined {
    const loc = this.byId.get(id);
    const keys = loc && this.blocks.get(loc.block);
    if (!loc || !keys) return undefined;
    const at = loc.at;
    return {
      id,
      name: keys.names[at]!,
      tier: keys.tiers[at]!,
      phoneLast4: keys.phoneLast4[at] ?? null,
      memberCode: keys.memberCodes[at]!,
      provisional: false,
    };
  }

  private summaries(ids: readonly string[], limit: number): CustomerSummary[] {
    const out: CustomerSummary[] = [];
    for (const id of ids) {
      if (out.length >= limit) break;
      const s = this.summary(id);
      if (s) out.push(s);
    }
    return out;
  }

  byMemberCode(code: string, limit: number): CustomerSummary[] {
    return this.summaries([...(this.byCode.get(code) ?? [])].sort(), limit);
  }

  /**
   * Customers whose number ends in `last4` and whose phone tag is `tag`: the customer a typed
   * full number belongs to, and now and then (≈ 1 % at 200,000 cached) another one who shares
   * the 尾号 and the tag — the guide picks by name.
   */
  byPhone(last4: string, tag: number, limit: number): CustomerSummary[] {
    const ids = [...(this.byPhoneKey.get(phoneKey(last4, tag)) ?? [])];
    return this.summaries(ids.sort(), limit);
  }

  /** 尾号: ordered by phone tag, then id. */
  byLast4(last4: string, limit: number): CustomerSummary[] {
    const ids = this.idsByLast4.get(last4) ?? [];
    const keyed = ids.map((id) => {
      const loc = this.byId.get(id)!;
      const tag = this.blocks.get(loc.block)!.phoneTags[loc.at];
      return { key: tag == null ? '' : String(tag).padStart(4, '0'), id };
    });
    return this.summaries(
      keyed.sort(byKeyThenId).map((k) => k.id),
      limit,
    );
  }

  byNamePrefix(prefix: string, limit: number): CustomerSummary[] {
    this.moved = 0;
    this.names ??= finish(orderOf(this.blocks, (keys) => keys.names));
    return this.summaries(prefixRange(this.names, prefix, limit), limit);
  }

  byInitialsPrefix(prefix: string, limit: number): CustomerSummary[] {
    this.moved = 0;
    this.initials ??= finish(orderOf(this.blocks, (keys) => keys.initials));
    return this.summaries(prefixRange(this.initials, prefix, limit), limit);
  }
}

/** Key records put between two pauses of a paced build (100 customers each). */
const PUT_SLICE = 100;
