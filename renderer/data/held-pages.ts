import type { CustomerProfile, ProfileEdit } from '../../shared/protocol';
import { toCachedCustomer, type CachedCustomer } from './customer-rows';
import { BLOCK_SIZE, type CustomerBlock } from './customer-index';
import { CustomerSeals, type StoredBlock } from './customer-seal';
import {
  keyRowOf,
  planOfIds,
  sealPlan,
  type CustomerKeyRow,
  type HeldRows,
  type IdPlan,
  type SealedUpsert,
} from './customer-upsert';
import { withPendingEdits } from './profile-edits-apply';
import { createSealer, type Keyring, type Packed, type Sealer } from './sealed';

export type {
  CachedCustomer,
  CustomerKeyRow,
  HeldRows,
  IdPlan,
  Keyring,
  SealedUpsert,
  StoredBlock,
};

/**
 * Pages kept at most: the sync engine holds two ahead and one being written, and releases each;
 * a page it dropped without releasing (a stopped run) is forgotten oldest first.
 */
export const PAGES_KEPT = 8;

/** A page token no longer held (released, or forgotten as too old). */
export class PageGone extends Error {
  constructor() {
    super('the page is no longer held');
    this.name = 'PageGone';
  }
}

/** A page's rows BLOCK_SIZE at a time, in feed order, packed (serialised and deflated) ahead. */
type Pack = { rows: readonly CachedCustomer[]; packed: Promise<Packed | null> };

type Held = {
  rows: CachedCustomer[];
  edited: CachedCustomer[];
  /** by the first row of each group; empty until packing starts (`packAhead`) */
  packs: Map<CachedCustomer, Pack>;
};

/**
 * Customer feed pages held by the page worker (sync/page-prep.ts) between the pull and the write:
 * the profiles as cache rows, under a page token. The page's thread plans the write from their
 * lookup keys (customer-store.ts, `prepareSealed`) and asks for the planned blocks packed and
 * sealed here, under the data keys handed in with `useKeys`.
 */
export class HeldPages {
  private seals: CustomerSeals | null = null;
  private readonly pages = new Map<number, Held>();
  private nextPage = 1;

  /** @param sealerOf how the data keys seal (tests wrap it to see which half was called) */
  constructor(private readonly sealerOf: (ring: Keyring) => Sealer = createSealer) {}

  useKeys(ring: Keyring): void {
    this.seals = new CustomerSeals(this.sealerOf(ring));
  }

  /**
   * Holds a page's profiles as cache rows; answers its token and each row's lookup keys. The
   * caller then calls `packAhead(page)` once it has answered.
   */
  hold(profiles: readonly CustomerProfile[]): { page: number; keys: CustomerKeyRow[] } {
    const rows = profiles.map(toCachedCustomer);
    const page = this.nextPage++;
    this.pages.set(page, { rows, edited: rows, packs: new Map() });
    for (const old of this.pages.keys()) if (this.pages.size > PAGES_KEPT) this.pages.delete(old);
    return { page, keys: rows.map(keyRowOf) };
  }

  /**
   * Packs the page's rows BLOCK_SIZE at a time while the page waits for its plan: a plan puts a
   * page's new rows into new blocks in exactly these groups (customer-upsert.ts, `planUpsert`),
   * so on an initial sync sealing is left with encrypting — off the path each page waits on
   * (plan, seal, write). A block the plan makes otherwise (top-ups, replaced rows, edits laid
   * over) is sealed whole, as before. Pages of less than a block are not packed ahead.
   */
  packAhead(page: number): void {
    const held = this.pages.get(page);
    const seals = this.seals;
    if (!held || !seals || held.packs.size > 0 || held.rows.length < BLOCK_SIZE) return;
    // One group after another (a seal asked for meanwhile waits at most for the group being
    // packed and whatever the worker queued before it; letting it in between every group was
    // measured no faster: the packs it needs are then done later).
    let previous: Promise<Packed | null> = Promise.resolve(null);
    for (let at = 0; at < held.rows.length; at += BLOCK_SIZE) {
      const rows = held.rows.slice(at, at + BLOCK_SIZE);
      const packed = previous.then(() => seals.packRows(rows)).catch(() => null);
      held.packs.set(rows[0]!, { rows, packed });
      previous = packed;
    }
  }

  /** Lays this terminal's pending edits over the page's rows; answers the keys after. */
  withEdits(page: number, edits: readonly ProfileEdit[]): CustomerKeyRow[] {
    const held = this.held(page);
    held.edited = withPendingEdits(held.rows, edits);
    return held.edited.map(keyRowOf);
  }

  /** The records a plan (made on the page's thread) writes, from the touched blocks as stored. */
  async seal(page: number, plan: IdPlan, touched: readonly StoredBlock[]): Promise<SealedUpsert> {
    const seals = this.seals;
    if (!seals) throw new Error('no data keys');
    const held = this.held(page);
    const byId = new Map(held.edited.map((r) => [r.id, r]));
    const opened = await Promise.all(touched.map((b) => seals.openBlock(b)));
    return sealPlan(seals, planOfIds(plan, byId), opened, (block) => packedFor(held, block));
  }

  /** The page's rows as the feed brought them (no edits). */
  rows(page: number): CachedCustomer[] {
    return this.held(page).rows;
  }

  release(page: number): void {
    this.pages.delete(page);
  }

  private held(page: number): Held {
    const found = this.pages.get(page);
    if (!found) throw new PageGone();
    return found;
  }
}

/** The block's rows packed ahead, if they are exactly one of the page's groups (same objects). */
function packedFor(held: Held, block: CustomerBlock): Promise<Packed | null> | null {
  const first = block.rows[0];
  const pack = first && held.packs.get(first);
  if (!pack || pack.rows.length !== block.rows.length) return null;
  return pack.rows.every((row, i) => row === block.rows[i]) ? pack.packed : null;
}
