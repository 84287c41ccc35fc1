import type { CustomerProfile, ProfileEdit } from '../../shared/protocol';
import { toCachedCustomer, type CachedCustomer } from './customer-rows';
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
import { createSealer, type Keyring } from './sealed';

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

type Held = { rows: CachedCustomer[]; edited: CachedCustomer[] };

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

  useKeys(ring: Keyring): void {
    this.seals = new CustomerSeals(createSealer(ring));
  }

  /** Holds a page's profiles as cache rows; answers its token and each row's lookup keys. */
  hold(profiles: readonly CustomerProfile[]): { page: number; keys: CustomerKeyRow[] } {
    const rows = profiles.map(toCachedCustomer);
    const page = this.nextPage++;
    this.pages.set(page, { rows, edited: rows });
    for (const old of this.pages.keys()) if (this.pages.size > PAGES_KEPT) this.pages.delete(old);
    return { page, keys: rows.map(keyRowOf) };
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
    const byId = new Map(this.held(page).edited.map((r) => [r.id, r]));
    const opened = await Promise.all(touched.map((b) => seals.openBlock(b)));
    return sealPlan(seals, planOfIds(plan, byId), opened);
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
