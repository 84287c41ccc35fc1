import type { CachedCustomer } from './customer-rows';
import type { CustomerBlock } from './customer-index';
import { aadFor, isSealedRow, type Envelope, type Packed, type Sealer } from './sealed';

/**
 * A block as stored since v10: the whole block's rows sealed in ONE envelope (AES-GCM,
 * sealed.ts), bound to `customerBlocks` + its id. One seal per 100 profiles keeps the cost of
 * encryption at rest small (an initial sync seals 2,000 records, not 200,000 rows). A plaintext
 * block written before v10 is still read until the v10 pass (at-rest.ts) has sealed it.
 */
export type StoredBlock = { id: number; sealed: Envelope } | CustomerBlock;
/** An override row as stored: its id, the rest sealed (bound to `customerOverrides` + id). */
export type StoredOverride = { id: string; sealed: Envelope } | CachedCustomer;

/** Opened blocks kept in memory (≈ 100–200 KiB each): opening a profile seldom decrypts twice. */
const OPEN_BLOCKS_KEPT = 8;
const ivKey = (envelope: Envelope) => envelope.iv;

/**
 * How customer blocks and override rows are sealed and opened (sealed.ts), with a small cache of
 * the blocks opened last.
 */
export class CustomerSeals {
  /**
   * The last few blocks opened, by block id, with the IV of the envelope they came from: a stored
   * block is always read again from IndexedDB (cheap), and only decrypted when its envelope is not
   * the one cached (another write, another window). Bounded, in least-recently-used order.
   */
  private readonly opened = new Map<number, { iv: string; rows: CachedCustomer[] }>();

  constructor(private readonly sealer: Sealer) {}

  /** Forgets every opened block (the store's index was dropped). */
  clear(): void {
    this.opened.clear();
  }

  private remember(id: number, iv: string, rows: CachedCustomer[]): void {
    this.opened.delete(id);
    this.opened.set(id, { iv, rows });
    while (this.opened.size > OPEN_BLOCKS_KEPT)
      this.opened.delete(this.opened.keys().next().value!);
  }

  /** A stored block's rows (decrypted, or from the cache of opened blocks). */
  async openBlock(stored: StoredBlock): Promise<CustomerBlock> {
    if (!('sealed' in stored)) return stored;
    const iv = ivKey(stored.sealed);
    const hit = this.opened.get(stored.id);
    if (hit && hit.iv === iv) {
      this.remember(stored.id, iv, hit.rows);
      return { id: stored.id, rows: hit.rows };
    }
    const rows = await this.sealer.open<CachedCustomer[]>(
      stored.sealed,
      aadFor('customerBlocks', stored.id),
    );
    this.remember(stored.id, iv, rows);
    return { id: stored.id, rows };
  }

  /**
   * A block's rows packed ahead of sealing (`sealBlock` with them skips serialising and
   * deflating); null when this sealer seals in one piece (it hands the work to the seal worker).
   */
  packRows(rows: readonly CachedCustomer[]): Promise<Packed> | null {
    return this.sealer.pack && this.sealer.sealPacked ? this.sealer.pack(rows) : null;
  }

  /**
   * Seals a block for storage (and keeps its rows as the opened copy of that envelope); `packed`,
   * when given, is `packRows(block.rows)` done ahead.
   */
  async sealBlock(block: CustomerBlock, packed?: Packed | null): Promise<StoredBlock> {
    const aad = aadFor('customerBlocks', block.id);
    const sealed =
      packed && this.sealer.sealPacked
        ? await this.sealer.sealPacked(packed, aad)
        : await this.sealer.seal(block.rows, aad);
    this.remember(block.id, ivKey(sealed), block.rows);
    return { id: block.id, sealed };
  }

  /** Seals an override row: only its id stays readable. */
  sealOverride(row: CachedCustomer): Promise<StoredOverride> {
    return this.sealer
      .seal(row, aadFor('customerOverrides', row.id))
      .then((sealed) => ({ id: row.id, sealed }));
  }

  openOverride(stored: StoredOverride): Promise<CachedCustomer> {
    return isSealedRow(stored)
      ? this.sealer.open<CachedCustomer>(stored.sealed, aadFor('customerOverrides', stored.id))
      : Promise.resolve(stored as CachedCustomer);
  }
}
