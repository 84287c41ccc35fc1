import type { Table } from 'dexie';
import { keysOf, type CustomerKeys, type KeyIndex } from './customer-index';
import type { CustomerSeals, StoredBlock } from './customer-seal';
import { withoutRemoved } from './customer-upsert';
import { keepAlive } from './sealed';

/**
 * Inside the caller's write transaction (customer-store.ts, `remove`): takes customers out of the
 * blocks they live in (`gone`: block id → ids), re-sealing each block that keeps some and deleting
 * those emptied, with their key records, and the in-memory index with them.
 */
export async function removeFromBlocks(
  db: { customerBlocks: Table<StoredBlock, number>; customerKeys: Table<CustomerKeys, number> },
  seals: CustomerSeals,
  index: KeyIndex,
  gone: ReadonlyMap<number, ReadonlySet<string>>,
): Promise<void> {
  const blockIds = [...gone.keys()];
  const stored = await db.customerBlocks.bulkGet(blockIds);
  const opened = await keepAlive(
    Promise.all(stored.map((b, i) => (b ? seals.openBlock(b) : { id: blockIds[i]!, rows: [] }))),
  );
  const { kept, emptied } = withoutRemoved(opened, gone);
  if (kept.length > 0)
    await db.customerBlocks.bulkPut(
      await keepAlive(Promise.all(kept.map((b) => seals.sealBlock(b)))),
    );
  await db.customerKeys.bulkPut(kept.map(keysOf));
  await db.customerBlocks.bulkDelete(emptied);
  await db.customerKeys.bulkDelete(emptied);
  for (const block of kept) index.put(keysOf(block));
  for (const id of emptied) index.remove(id);
}
