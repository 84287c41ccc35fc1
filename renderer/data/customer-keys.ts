import type { Table } from 'dexie';
import type { CustomerKeys } from './customer-index';

/**
 * `stamp`: how many writes the store has had (see `KeyIndex.stamp`); `atRest`: present while the
 * v10 pass still has clear rows to seal (at-rest.ts).
 */
export type CustomerMeta = { key: 'stamp' | 'atRest'; value: number };

/** The `customerMeta` key of the write stamp. */
export const STAMP = 'stamp';
/** Key records per read when the index loads (100 customers each). */
const READ_SLICE = 100;

type KeysDb = {
  customerKeys: Table<CustomerKeys, number>;
  customerMeta: Table<CustomerMeta, string>;
};

/**
 * Every key record and the stamp, read a slice at a time: each slice arrives as its own task,
 * so the page can respond between them (all 2,000 records of 200,000 customers in one read are
 * deserialised in one piece: most of the ≈ 0.7–1 s the screen froze at app start).
 */
export function readKeyRecords(db: KeysDb): Promise<{ records: CustomerKeys[]; stamp: number }> {
  const records: CustomerKeys[] = [];
  const from = (after: number): Promise<void> =>
    db.customerKeys
      .where(':id')
      .above(after)
      .limit(READ_SLICE)
      .toArray()
      .then((slice) => {
        records.push(...slice);
        const last = slice.at(-1);
        return slice.length === READ_SLICE && last ? from(last.id) : undefined;
      });
  return from(-Infinity)
    .then(() => db.customerMeta.get(STAMP))
    .then((meta) => ({ records, stamp: meta?.value ?? 0 }));
}
