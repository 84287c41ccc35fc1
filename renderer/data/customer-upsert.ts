import type { CachedCustomer } from './customer-rows';
import {
  BLOCK_SIZE,
  keysOf,
  packBlocks,
  type CustomerBlock,
  type CustomerKeys,
  type KeyIndex,
} from './customer-index';
import type { CustomerSeals, StoredBlock, StoredOverride } from './customer-seal';

/** An upsert worked out and sealed ahead of its transaction (`CustomerStore.prepare`). */
export type PreparedUpsert = {
  /** the write stamp the plan was made against */
  readonly stamp: number;
  /** the rows it was made for (an upsert of other rows ignores it) */
  readonly rows: readonly CachedCustomer[];
  readonly overrides: StoredOverride[];
  readonly blocks: StoredBlock[];
  readonly keys: CustomerKeys[];
  /** customers now in their block whose override row goes */
  readonly replaced: string[];
};

/** Where each row of an upsert goes, worked out from the index alone. */
export type UpsertPlan = {
  overrides: CachedCustomer[];
  replace: Map<number, CachedCustomer[]>;
  fresh: CachedCustomer[];
  /** blocks to open and rewrite: those with replaced rows, and the last one if topped up */
  touched: number[];
  topUp: number | null;
  /** the id of the first new block */
  nextBlock: number;
};

export function planUpsert(index: KeyIndex, rows: readonly CachedCustomer[]): UpsertPlan {
  const latest = new Map(rows.map((r) => [r.id, r]));
  const replace = new Map<number, CachedCustomer[]>();
  const fresh: CachedCustomer[] = [];
  const overrides: CachedCustomer[] = [];
  for (const row of latest.values()) {
    const loc = index.byId.get(row.id);
    const keys = loc && index.blocks.get(loc.block);
    if (!loc || !keys) fresh.push(row);
    else if (sameKeys(keys, loc.at, row)) overrides.push(row);
    else replace.set(loc.block, [...(replace.get(loc.block) ?? []), row]);
  }
  const last = index.blocks.get(index.lastBlock);
  const topUp = fresh.length > 0 && last && last.ids.length < BLOCK_SIZE ? last.id : null;
  const touched = fresh.length === 0 && replace.size === 0 ? [] : [...replace.keys()];
  if (topUp !== null && !replace.has(topUp)) touched.push(topUp);
  return { overrides, replace, fresh, touched, topUp, nextBlock: index.lastBlock + 1 };
}

/** The blocks an upsert writes, from the plan and its touched blocks opened (in plan order). */
export function changedBlocks(plan: UpsertPlan, opened: readonly CustomerBlock[]): CustomerBlock[] {
  if (plan.fresh.length === 0 && plan.replace.size === 0) return [];
  const changed = new Map<number, CustomerBlock>();
  for (const block of opened) changed.set(block.id, { id: block.id, rows: [...block.rows] });
  for (const [blockId, replacements] of plan.replace) {
    const block = changed.get(blockId)!;
    for (const row of replacements) {
      const at = block.rows.findIndex((r) => r.id === row.id);
      if (at < 0) throw new Error(`customer ${row.id} missing from block ${blockId}`);
      block.rows[at] = row;
    }
  }
  let next = plan.fresh;
  if (plan.topUp !== null) {
    const block = changed.get(plan.topUp)!;
    const room = BLOCK_SIZE - block.rows.length;
    block.rows.push(...next.slice(0, room));
    next = next.slice(room);
  }
  for (const block of packBlocks(next, plan.nextBlock)) changed.set(block.id, block);
  return [...changed.values()];
}

/** Whether a row has the lookup keys its block's key record holds for it (at `at`). */
const sameKeys = (keys: CustomerKeys, at: number, row: CachedCustomer): boolean =>
  keys.ids[at] === row.id &&
  keys.memberCodes[at] === row.memberCode &&
  keys.phoneLast4[at] === row.phoneLast4 &&
  keys.phoneTags[at] === row.phoneTag &&
  keys.names[at] === row.name &&
  keys.initials[at] === row.initials &&
  keys.tiers[at] === row.tier;

/** The customers an upsert moves from their override row into their block. */
export const replacedIds = (plan: UpsertPlan): string[] =>
  [...plan.replace.values()].flat().map((r) => r.id);

/** The ids a removal takes out of each block they live in (unknown ids are left out). */
/**
 * The records a plan writes, sealed, from its touched blocks as opened: CPU work only (no
 * IndexedDB), which `CustomerStore.prepare` does ahead of the write transaction.
 */
export async function sealPlan(
  seals: CustomerSeals,
  plan: UpsertPlan,
  opened: readonly CustomerBlock[],
): Promise<Pick<PreparedUpsert, 'overrides' | 'blocks' | 'keys' | 'replaced'>> {
  const blocks = changedBlocks(plan, opened);
  const [overrides, sealed] = await Promise.all([
    Promise.all(plan.overrides.map((r) => seals.sealOverride(r))),
    Promise.all(blocks.map((b) => seals.sealBlock(b))),
  ]);
  return { overrides, blocks: sealed, keys: blocks.map(keysOf), replaced: replacedIds(plan) };
}

export function removalsByBlock(index: KeyIndex, ids: readonly string[]): Map<number, Set<string>> {
  const gone = new Map<number, Set<string>>();
  for (const id of ids) {
    const loc = index.byId.get(id);
    if (loc) gone.set(loc.block, (gone.get(loc.block) ?? new Set()).add(id));
  }
  return gone;
}

/** The opened blocks without their removed customers: those that keep some, and those emptied. */
export function withoutRemoved(
  opened: readonly CustomerBlock[],
  gone: ReadonlyMap<number, ReadonlySet<string>>,
): { kept: CustomerBlock[]; emptied: number[] } {
  const kept: CustomerBlock[] = [];
  const emptied: number[] = [];
  for (const block of opened) {
    const rows = block.rows.filter((r) => !gone.get(block.id)?.has(r.id));
    if (rows.length > 0) kept.push({ id: block.id, rows });
    else emptied.push(block.id);
  }
  return { kept, emptied };
}
