import type { Table } from 'dexie';
import type { CachedCustomer } from './customer-rows';
import type { CustomerBlock } from './customer-index';
import type { CustomerSeals, StoredBlock, StoredOverride } from './customer-seal';
import { keepAlive } from './sealed';

/**
 * Every cached customer at once, opened — for tests, exports and the v10 pass (at-rest.ts), never
 * for the counter's lookups (those go through the in-memory index, customer-store.ts). Each read
 * opens every sealed record, so it costs what the whole cache costs.
 */
export type DumpTables = {
  customerBlocks: Table<StoredBlock, number>;
  customerOverrides: Table<StoredOverride, string>;
};

/** Every block opened; block order. */
export async function openBlocks(db: DumpTables, seals: CustomerSeals): Promise<CustomerBlock[]> {
  const stored = await db.customerBlocks.toArray();
  return keepAlive(Promise.all(stored.map((b) => seals.openBlock(b))));
}

/** Every override row opened. */
export async function openOverrides(
  db: DumpTables,
  seals: CustomerSeals,
): Promise<CachedCustomer[]> {
  const stored = await db.customerOverrides.toArray();
  return keepAlive(Promise.all(stored.map((r) => seals.openOverride(r))));
}

/** Every cached profile, an override winning over its copy in the block; block order. */
export async function openAll(db: DumpTables, seals: CustomerSeals): Promise<CachedCustomer[]> {
  const overrides = new Map((await openOverrides(db, seals)).map((r) => [r.id, r]));
  const blocks = await openBlocks(db, seals);
  return blocks.flatMap((b) => b.rows.map((r) => overrides.get(r.id) ?? r));
}
