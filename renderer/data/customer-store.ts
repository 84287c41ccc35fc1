import { GoneCustomers } from './gone-customers';
import { Dexie, type Table } from 'dexie';
import type { CachedCustomer } from './customer-rows';
import { keepAlive, type Sealer } from './sealed';
import {
  KeyIndex,
  type CustomerBlock,
  type CustomerKeys,
  type CustomerSummary,
} from './customer-index';
import { CustomerSeals, type StoredBlock, type StoredOverride } from './customer-seal';
import { readKeyRecords, STAMP, type CustomerMeta } from './customer-keys';
import {
  idPlanOf,
  planOfIds,
  planUpsert,
  removalsByBlock,
  StalePrepared,
  sealPlan,
  type CustomerKeyRow,
  type IdPlan,
  type PreparedUpsert,
  type SealedUpsert,
} from './customer-upsert';
import { openAll, openBlocks, openOverrides } from './customer-dump';
import { yieldToPage } from './yield-to-page';
import { WritesWatch } from './customer-writes-watch';
import { removeFromBlocks } from './customer-removal';

export type { CustomerBlock, CustomerKeys, CustomerSummary, CustomerMeta, PreparedUpsert };
export type { StoredBlock, StoredOverride };

/**
 * The cached customers the hub knows, packed BLOCK_SIZE to an IndexedDB record (one sealed
 * envelope each), with their lookup keys in memory (customer-index.ts, loaded from the clear
 * `customerKeys`); a change that keeps a customer's lookup keys is one override row. Why packed
 * and why overrides, with the figures: docs/architecture.md, "The customer cache".
 *
 * Rules the rest of the data layer relies on:
 * - Writes run inside a Dexie read-write transaction that includes `tables`; the in-memory index
 *   changes with them, and is dropped (reloaded on next use) if the transaction fails.
 * - A committed write tells other windows of the same terminal (BroadcastChannel), which drop
 *   their index and reload it on next use.
 * - A customer never moves between blocks; a block only shrinks when customers leave it. New
 *   customers fill the last block, then new ones.
 */

type StoreDb = Dexie & {
  customerBlocks: Table<StoredBlock, number>;
  customerKeys: Table<CustomerKeys, number>;
  customerMeta: Table<CustomerMeta, string>;
  customerOverrides: Table<StoredOverride, string>;
};

const LOAD_RETRIES = 2; // times a load is read again: a write came in while it was built

export class CustomerStore {
  private index: KeyIndex | null = null;
  /** Customers a tombstone applied in this window removed for good (gone-customers.ts). */
  readonly gone = new GoneCustomers();
  private loading: Promise<KeyIndex> | null = null;
  /** moves on with every write and every drop, so a load that raced a write is not kept */
  private generation = 0;
  /** this store's write transactions, and the other windows of this terminal */
  private readonly writes: WritesWatch;

  /** How blocks and override rows are sealed and opened (the v10 pass uses it too, at-rest.ts). */
  readonly seals: CustomerSeals;

  constructor(
    private readonly db: StoreDb,
    sealer: Sealer,
  ) {
    this.seals = new CustomerSeals(sealer);
    this.writes = new WritesWatch(db.name, () => this.drop());
  }

  /** The tables a write needs in its transaction. */
  get tables(): Table[] {
    return [
      this.db.customerBlocks,
      this.db.customerKeys,
      this.db.customerMeta,
      this.db.customerOverrides,
    ];
  }

  /**
   * Key records and write stamp (in the caller's transaction, if any), as a chain of Dexie promises:
   * awaiting a nested async function there let IndexedDB commit early (PrematureCommitError).
   */
  private read(): Promise<KeyIndex> {
    return readKeyRecords(this.db).then(({ records, stamp }) => new KeyIndex(records, stamp));
  }

  /**
   * The index a write may trust, in its read-write transaction: reloaded when the stored stamp says
   * another window wrote since (a stale index would put an unknown customer into a second block).
   */
  private async forWrite(): Promise<KeyIndex> {
    let index = await this.loaded();
    const stored = (await this.db.customerMeta.get(STAMP))?.value ?? 0;
    if (index.stamp !== stored) {
      index = await this.read();
      this.index = index;
    }
    return index;
  }

  /** Before a write that changes key records: ties the index to the transaction, moves the stamp. */
  private async changingKeys(index: KeyIndex): Promise<void> {
    this.watch();
    index.stamp++;
    await this.db.customerMeta.put({ key: STAMP, value: index.stamp });
  }

  /** Forgets the in-memory index (it is rebuilt from IndexedDB on next use). */
  drop(): void {
    this.seals.clear();
    this.index = null;
    this.loading = null;
    this.generation++;
  }

  /** Called when the database closes: forgets the index and stops listening to other windows. */
  close(): void {
    this.drop();
    this.writes.close();
  }

  /** The index, loading it first if needed (inside the caller's transaction when there is one). */
  private async loaded(): Promise<KeyIndex> {
    this.writes.listen();
    const tx = Dexie.currentTransaction;
    // A read outside any transaction waits for writes that have not settled: the index already
    // holds them, and they may still roll back (Dexie rejects the caller before IndexedDB says
    // "abort"). Inside a transaction IndexedDB itself orders overlapping writers, and awaiting
    // anything but IndexedDB there would let the transaction commit early.
    const settling = tx ? null : this.writes.settled();
    if (settling) await settling;
    if (this.index) return this.index;
    if (tx && tx.storeNames.includes('customerKeys') && tx.storeNames.includes('customerMeta')) {
      // Loaded inside the transaction: a read-write transaction excludes every other writer of
      // these tables, so nothing can change between this read and the caller's write.
      const index = await this.read();
      this.index ??= index;
      return this.index;
    }
    this.loading ??= this.loadPaced(LOAD_RETRIES);
    return this.loading;
  }

  /**
   * Reads the key records in one transaction, then builds the index a slice at a time (the page
   * stays responsive). If a write came in meanwhile, the index it built is not kept: in this
   * window the write loaded the index it changed, which is answered instead; if another window
   * wrote (its notice dropped ours), the records are read again — `retries` times, then this
   * read answers (not kept) rather than waiting for a window that keeps writing.
   */
  private loadPaced(retries: number): Promise<KeyIndex> {
    const generation = this.generation;
    const loading: Promise<KeyIndex> = Dexie.ignoreTransaction(() =>
      this.db.transaction('r', [this.db.customerKeys, this.db.customerMeta], () =>
        readKeyRecords(this.db),
      ),
    )
      .then(({ records, stamp }) => KeyIndex.build(records, stamp, yieldToPage))
      .then((index) => {
        if (this.loading === loading) this.loading = null;
        if (this.generation === generation) return (this.index = index);
        if (this.index) return this.index;
        if (retries === 0) return index;
        this.loading ??= this.loadPaced(retries - 1);
        return this.loading;
      });
    return loading;
  }

  /**
   * Makes the index ready (right after the app opens), so the first search is quick: loaded and
   * sorted a slice at a time, so the screen never freezes for long meanwhile.
   */
  async warm(): Promise<void> {
    const index = await this.loaded();
    await index.prepareOrders(yieldToPage);
  }

  /**
   * The index loaded outside any transaction (a slice at a time); writers call this first: built
   * inside a transaction it is one piece (≈ 1 s at 200,000 customers, the screen frozen).
   */
  async ready(): Promise<void> {
    await Dexie.ignoreTransaction(() => this.loaded());
  }

  async count(): Promise<number> {
    return (await this.loaded()).byId.size;
  }

  /** Whether any of these ids is cached (no IndexedDB read: the index alone). */
  async holdsAny(ids: readonly string[]): Promise<boolean> {
    if (ids.length === 0) return false;
    const index = await this.loaded();
    return ids.some((id) => index.byId.has(id));
  }

  async summary(id: string): Promise<CustomerSummary | undefined> {
    return (await this.loaded()).summary(id);
  }

  /** The full cached profile, or undefined. */
  async get(id: string): Promise<CachedCustomer | undefined> {
    const loc = (await this.loaded()).byId.get(id);
    if (!loc) {
      // A read of the key table, so a live query waiting for this customer re-runs when any
      // customer is written (the in-memory index alone is invisible to Dexie's change tracking).
      await this.db.customerKeys.count();
      return undefined;
    }
    const override = await this.db.customerOverrides.get(id);
    if (override) return keepAlive(this.seals.openOverride(override));
    const stored = await this.db.customerBlocks.get(loc.block);
    return stored && (await keepAlive(this.seals.openBlock(stored))).rows.find((r) => r.id === id);
  }

  /** Whole-cache reads for tests, exports and the v10 pass: customer-dump.ts. */
  blocks = (): Promise<CustomerBlock[]> => openBlocks(this.db, this.seals);
  overrides = (): Promise<CachedCustomer[]> => openOverrides(this.db, this.seals);
  all = (): Promise<CachedCustomer[]> => openAll(this.db, this.seals);

  async byMemberCode(code: string, limit: number): Promise<CustomerSummary[]> {
    return (await this.loaded()).byMemberCode(code, limit);
  }

  async byPhone(last4: string, tag: number, limit: number): Promise<CustomerSummary[]> {
    return (await this.loaded()).byPhone(last4, tag, limit);
  }

  async byLast4(last4: string, limit: number): Promise<CustomerSummary[]> {
    return (await this.loaded()).byLast4(last4, limit);
  }

  async byNamePrefix(prefix: string, limit: number): Promise<CustomerSummary[]> {
    return (await this.loaded()).byNamePrefix(prefix, limit);
  }

  async byInitialsPrefix(prefix: string, limit: number): Promise<CustomerSummary[]> {
    return (await this.loaded()).byInitialsPrefix(prefix, limit);
  }

  /**
   * An upsert's CPU (opening the blocks it touches, packing, sealing) done ahead, OUTSIDE any
   * transaction, so `upsert(rows, prepared)` only puts the records: inside the page's transaction
   * under `Dexie.waitFor` it doubled an initial sync (docs/benchmarks.md, "Encryption at rest").
   * Tied to the write stamp it was made against (every write of blocks or key records moves it):
   * used only if the stamp is the same in the transaction. Null when the store moved meanwhile.
   */
  prepare(rows: readonly CachedCustomer[]): Promise<PreparedUpsert | null> {
    if (rows.length === 0) return Promise.resolve(null);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return this.prepareSealed(rows, rows, async (plan, touched) =>
      sealPlan(
        this.seals,
        planOfIds(plan, byId),
        await Promise.all(touched.map((b) => this.seals.openBlock(b))),
      ),
    );
  }

  /**
   * `prepare` for rows this thread does not hold (the page worker's, sync/page-worker.ts): planned
   * here from their lookup keys against the index; `seal` gets the plan by id and the touched
   * blocks as stored, and answers the sealed records (`putPrepared` writes them).
   */
  async prepareSealed(
    keys: readonly CustomerKeyRow[],
    basis: object,
    seal: (plan: IdPlan, touched: StoredBlock[]) => Promise<SealedUpsert>,
  ): Promise<PreparedUpsert | null> {
    if (Dexie.currentTransaction) return null;
    await this.ready();
    const index = this.index;
    if (!index) return null;
    const stamp = index.stamp;
    const plan = planUpsert(index, keys);
    // Nothing to read (an initial sync's pages): a write since is caught by `putPrepared`'s stamp.
    if (plan.touched.length === 0) return { stamp, basis, ...(await seal(idPlanOf(plan), [])) };
    const { stored, current } = await Dexie.ignoreTransaction(() =>
      this.db.transaction('r', [this.db.customerBlocks, this.db.customerMeta], async () => ({
        stored: await this.db.customerBlocks.bulkGet(plan.touched),
        current: (await this.db.customerMeta.get(STAMP))?.value ?? 0,
      })),
    );
    if (current !== stamp || stored.some((b) => b === undefined)) return null;
    return { stamp, basis, ...(await seal(idPlanOf(plan), stored as StoredBlock[])) };
  }

  /**
   * Writes an upsert `prepareSealed` made, inside the caller's transaction. If anything wrote
   * customers since (the stamp moved: another window, a merge or removal earlier in this page's
   * transaction, a feed reset), nothing is written and `StalePrepared` is thrown, which rolls the
   * caller's transaction back: the caller then writes the page from its rows.
   */
  async putPrepared(prepared: PreparedUpsert): Promise<void> {
    await this.db.transaction('rw', this.tables, async () => {
      const index = await this.forWrite();
      if (prepared.stamp !== index.stamp) throw new StalePrepared();
      await this.writePrepared(index, prepared);
    });
  }

  private async writePrepared(index: KeyIndex, prepared: PreparedUpsert): Promise<void> {
    if (prepared.overrides.length > 0) await this.db.customerOverrides.bulkPut(prepared.overrides);
    if (prepared.blocks.length === 0) return;
    await this.changingKeys(index);
    await this.db.customerBlocks.bulkPut(prepared.blocks);
    await this.db.customerKeys.bulkPut(prepared.keys);
    await this.db.customerOverrides.bulkDelete(prepared.replaced);
    for (const k of prepared.keys) index.put(k);
  }

  /**
   * Inserts or replaces profiles (the last of several with one id wins). A known customer whose
   * lookup keys are unchanged gets an override row; one whose keys changed is replaced in its
   * block (its override dropped); new ones fill the last block, then new blocks. With `prepared`
   * (from `prepare(rows)` with these same rows) and no write since, only its records are put.
   */
  async upsert(rows: readonly CachedCustomer[], prepared?: PreparedUpsert | null): Promise<void> {
    if (rows.length === 0) return;
    await this.db.transaction('rw', this.tables, async () => {
      const index = await this.forWrite();
      if (prepared && prepared.basis === rows && prepared.stamp === index.stamp)
        return this.writePrepared(index, prepared);
      const plan = planUpsert(index, rows);
      const stored =
        plan.touched.length > 0 ? await this.db.customerBlocks.bulkGet(plan.touched) : [];
      const opened = await keepAlive(
        Promise.all(
          plan.touched.map((id, i) => {
            const block = stored[i];
            if (!block) throw new Error(`customer block ${id} missing: the index is out of date`);
            return this.seals.openBlock(block);
          }),
        ),
      );
      const sealed = await keepAlive(sealPlan(this.seals, plan, opened));
      await this.writePrepared(index, { stamp: index.stamp, basis: rows, ...sealed });
    });
  }

  /** Removes profiles by id (unknown ids are ignored). */
  async remove(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.transaction('rw', this.tables, async () => {
      const index = await this.forWrite();
      await this.db.customerOverrides.bulkDelete([...ids]);
      const gone = removalsByBlock(index, ids);
      if (gone.size === 0) return;
      await this.changingKeys(index);
      await removeFromBlocks(this.db, this.seals, index, gone);
    });
  }

  /** Drops every cached profile, in the caller's transaction if it holds `tables` (feeds.ts). */
  async clear(): Promise<void> {
    await this.db.transaction('rw', this.tables, async () => {
      this.watch();
      const stamp = ((await this.db.customerMeta.get(STAMP))?.value ?? 0) + 1;
      await this.db.customerMeta.put({ key: STAMP, value: stamp });
      await this.db.customerBlocks.clear();
      await this.db.customerKeys.clear();
      await this.db.customerOverrides.clear();
      this.seals.clear();
      this.index = new KeyIndex([], stamp);
    });
  }

  /** Ties the index to the current transaction: dropped if it fails, other windows told on commit. */
  private watch(): void {
    this.generation++;
    this.writes.watch();
  }
}
