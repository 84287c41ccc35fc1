import type { CachedCustomer } from './customer-rows';
import {
  BLOCK_SIZE,
  keysOf,
  packBlocks,
  type CustomerBlock,
  type CustomerKeys,
  type KeyIndex,
} from './customer-index';
import type { ProfileEdit } from '../../shared/protocol';
import type { CustomerSeals, StoredBlock, StoredOverride } from './customer-seal';
import type { Packed } from './sealed';

/** An upsert worked out and sealed ahead of its transaction (`CustomerStore.prepare`). */
export type PreparedUpsert = {
  /** the write stamp the plan was made against */
  readonly stamp: number;
  /**
   * what it was made for: the rows (an upsert of other rows ignores it), or the page held by the
   * page worker (`CustomerStore.prepareSealed`)
   */
  readonly basis: object;
  readonly overrides: StoredOverride[];
  readonly blocks: StoredBlock[];
  readonly keys: CustomerKeys[];
  /** customers now in their block whose override row goes */
  readonly replaced: string[];
};

/** What planning an upsert reads of a row: its lookup keys (all a block's key record holds). */
export type CustomerKeyRow = Pick<
  CachedCustomer,
  'id' | 'memberCode' | 'phoneLast4' | 'phoneTag' | 'name' | 'initials' | 'tier'
>;

/** A row's lookup keys alone (what the page worker hands the page of each profile). */
export const keyRowOf = (row: CustomerKeyRow): CustomerKeyRow => ({
  id: row.id,
  memberCode: row.memberCode,
  phoneLast4: row.phoneLast4,
  phoneTag: row.phoneTag,
  name: row.name,
  initials: row.initials,
  tier: row.tier,
});

/** A prepared upsert found stale inside its transaction (`CustomerStore.putPrepared`). */
export class StalePrepared extends Error {
  constructor() {
    super('the customer store changed since the page was prepared');
    this.name = 'StalePrepared';
  }
}

/** Where each row of an upsert goes, worked out from the index alone. */
export type UpsertPlan<R extends CustomerKeyRow = CachedCustomer> = {
  overrides: R[];
  replace: Map<number, R[]>;
  fresh: R[];
  /** blocks to open and rewrite: those with replaced rows, and the last one if topped up */
  touched: number[];
  topUp: number | null;
  /** the id of the first new block */
  nextBlock: number;
};

export function planUpsert<R extends CustomerKeyRow>(
  index: KeyIndex,
  rows: readonly R[],
): UpsertPlan<R> {
  const latest = new Map(rows.map((r) => [r.id, r]));
  const replace = new Map<number, R[]>();
  const fresh: R[] = [];
  const overrides: R[] = [];
  for (const row of latest.values()) {
    const loc = index.byId.get(row.id);
    const keys = loc && index.blocks.get(loc.block);
    if (!loc || !keys) fresh.push(row);
    else if (sameKeys(keys, loc.at, row)) overrides.push(row);
    else replace.set(loc.block, [...(replace.get(loc.block) ?? []), row]);
  }
  // New rows fill whole new blocks in their order; what is left over (less than a block) tops
  // up the last block when it fits there, else starts one more. So a page's new rows land in the
  // same groups of BLOCK_SIZE whatever the store holds, and the page worker can pack those
  // groups before the plan is made (held-pages.ts). Blocks stay full but for one per page at most.
  const last = index.blocks.get(index.lastBlock);
  const left = fresh.length % BLOCK_SIZE;
  const topUp = left > 0 && last && last.ids.length + left <= BLOCK_SIZE ? last.id : null;
  const touched = fresh.length === 0 && replace.size === 0 ? [] : [...replace.keys()];
  if (topUp !== null && !replace.has(topUp)) touched.push(topUp);
  return { overrides, replace, fresh, touched, topUp, nextBlock: index.lastBlock + 1 };
}

/**
 * A plan by customer id (what crosses to the page worker, which holds the rows themselves), and
 * back to rows there (`rows`: the page's profiles by id).
 */
export type IdPlan = Omit<UpsertPlan, 'overrides' | 'replace' | 'fresh'> & {
  overrides: string[];
  replace: [block: number, ids: string[]][];
  fresh: string[];
};

const idsOf = (rows: readonly CustomerKeyRow[]) => rows.map((r) => r.id);

export const idPlanOf = (plan: UpsertPlan<CustomerKeyRow>): IdPlan => ({
  overrides: idsOf(plan.overrides),
  replace: [...plan.replace].map(([block, rows]) => [block, idsOf(rows)]),
  fresh: idsOf(plan.fresh),
  touched: plan.touched,
  topUp: plan.topUp,
  nextBlock: plan.nextBlock,
});

export function planOfIds(plan: IdPlan, rows: ReadonlyMap<string, CachedCustomer>): UpsertPlan {
  const row = (id: string) => {
    const found = rows.get(id);
    if (!found) throw new Error('a planned customer is not on the page');
    return found;
  };
  return {
    overrides: plan.overrides.map(row),
    replace: new Map(plan.replace.map(([block, ids]) => [block, ids.map(row)])),
    fresh: plan.fresh.map(row),
    touched: plan.touched,
    topUp: plan.topUp,
    nextBlock: plan.nextBlock,
  };
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
    const whole = next.length - (next.length % BLOCK_SIZE);
    changed.get(plan.topUp)!.rows.push(...next.slice(whole));
    next = next.slice(0, whole);
  }
  for (const block of packBlocks(next, plan.nextBlock)) changed.set(block.id, block);
  return [...changed.values()];
}

/** Whether a row has the lookup keys its block's key record holds for it (at `at`). */
const sameKeys = (keys: CustomerKeys, at: number, row: CustomerKeyRow): boolean =>
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

/** What sealing a plan gives: the records to put, and the override rows that go. */
export type SealedUpsert = Pick<PreparedUpsert, 'overrides' | 'blocks' | 'keys' | 'replaced'>;

/**
 * A page of profiles held by the page worker (sync/page-prep.ts): the page's thread has their
 * lookup keys; the rows stay there until asked for sealed (`seal`) or whole (`rows`, as the feed
 * brought them). `withEdits` lays edits over them there and answers the keys after.
 */
export type HeldRows = {
  withEdits(edits: ProfileEdit[]): Promise<CustomerKeyRow[]>;
  seal(plan: IdPlan, touched: StoredBlock[]): Promise<SealedUpsert>;
  rows(): Promise<CachedCustomer[]>;
  release(): void;
};

/**
 * The records a plan writes, sealed, from its touched blocks as opened: CPU work only (no
 * IndexedDB), which `CustomerStore.prepare` does ahead of the write transaction.
 */
export async function sealPlan(
  seals: CustomerSeals,
  plan: UpsertPlan,
  opened: readonly CustomerBlock[],
  /** a block's rows packed ahead (`CustomerSeals.packRows`), if they were */
  packedAhead: (block: CustomerBlock) => Promise<Packed | null> | null = () => null,
): Promise<SealedUpsert> {
  const blocks = changedBlocks(plan, opened);
  const [overrides, sealed] = await Promise.all([
    Promise.all(plan.overrides.map((r) => seals.sealOverride(r))),
    Promise.all(blocks.map(async (b) => seals.sealBlock(b, await packedAhead(b)))),
  ]);
  return { overrides, blocks: sealed, keys: blocks.map(keysOf), replaced: replacedIds(plan) };
}

/** The ids a removal takes out of each block they live in (unknown ids are left out). */
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
