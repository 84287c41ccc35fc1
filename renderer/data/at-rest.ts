import type { Table } from 'dexie';
import { sealAlert } from './alert-rows';
import type { CachedCustomer } from './customer-rows';
import type { CustomerBlock } from './customer-store';
import type { OutboxEntry, StoredAlert, TerminalDb } from './database';
import { sealOutboxEntry } from './outbox-rows';
import { sealProvisional } from './provisional';
import { sealLockout, type PinLockout } from './pin-lockouts';
import { isSealedRow } from './sealed';
import { sealStaff } from './staff-rows';
import type { StaffMember } from '../../shared/protocol';

/**
 * The v10 pass: seals what versions before 10 stored in clear (customer blocks, override rows,
 * provisional customers, alerts, outbox entries, staff PIN verifiers, PIN lockout counts). Not inside the Dexie upgrade: an upgrade
 * (versionchange) transaction cannot wait for the platform bridge to hand over the key, and
 * sealing 200,000 cached profiles in one transaction would hold the database for its whole
 * length. Instead the v10 upgrade only leaves a marker (`customerMeta` 'atRest' = pending), and
 * this pass runs after open, with the key already in hand (renderer/app/data-key.ts):
 *
 * - a slice of rows is read and sealed OUTSIDE any transaction, then written in a short one that
 *   re-reads them and only replaces rows still in clear — a row the app rewrote meanwhile is
 *   already sealed (every write seals), so nothing newer is ever overwritten;
 * - it is resumable: killed halfway, the next start carries on (sealed rows are skipped), and the
 *   marker is cleared only once every table is done;
 * - readers meanwhile accept both forms (a row without `sealed` is a legacy clear row).
 */
export const AT_REST_MARKER = 'atRest';
/** Rows per slice (customer blocks hold 100 profiles each: 20 blocks ≈ 2,000 profiles). */
const SLICE = 20;

type Sealing<R, K extends string | number> = {
  table: Table<R, K>;
  key: (row: R) => K;
  seal: (row: R) => Promise<object>;
};

async function sealTable<R extends object, K extends string | number>(
  db: TerminalDb,
  job: Sealing<R, K>,
): Promise<number> {
  let sealed = 0;
  let after: K | null = null;
  for (;;) {
    const slice: R[] = await (
      after === null ? job.table.orderBy(':id') : job.table.where(':id').above(after)
    )
      .limit(SLICE)
      .toArray();
    if (slice.length === 0) return sealed;
    after = job.key(slice[slice.length - 1]!);
    const clear = slice.filter((row) => !isSealedRow(row));
    if (clear.length === 0) continue;
    const next = await Promise.all(clear.map((row) => job.seal(row)));
    await db.transaction('rw', job.table, async () => {
      const now = await job.table.bulkGet(clear.map(job.key));
      const still = next.filter((_, i) => {
        const row = now[i];
        return row !== undefined && !isSealedRow(row);
      });
      await job.table.bulkPut(still as R[]);
      sealed += still.length;
    });
  }
}

/** Whether the v10 upgrade left clear rows behind that this pass has not sealed yet. */
export async function atRestPending(db: TerminalDb): Promise<boolean> {
  return (await db.customerMeta.get(AT_REST_MARKER)) !== undefined;
}

/**
 * Seals every row still in clear (see above). Returns how many rows it sealed; 0 at once when the
 * database never held clear rows (created at v10 or later) or the pass has already completed.
 */
export async function sealAtRest(db: TerminalDb): Promise<number> {
  if (!(await atRestPending(db))) return 0;
  const store = db.customerStore;
  let sealed = await sealTable<CustomerBlock, number>(db, {
    table: db.customerBlocks as unknown as Table<CustomerBlock, number>,
    key: (b) => b.id,
    seal: (b) => store.seals.sealBlock(b),
  });
  sealed += await sealTable<CachedCustomer, string>(db, {
    table: db.customerOverrides as unknown as Table<CachedCustomer, string>,
    key: (r) => r.id,
    seal: (r) => store.seals.sealOverride(r),
  });
  sealed += await sealTable<CachedCustomer, string>(db, {
    table: db.provisionalCustomers as unknown as Table<CachedCustomer, string>,
    key: (r) => r.id,
    seal: (r) => sealProvisional(db.sealer, r),
  });
  sealed += await sealTable<StoredAlert, string>(db, {
    table: db.alerts as unknown as Table<StoredAlert, string>,
    key: (r) => r.alertId,
    seal: (r) => sealAlert(db.sealer, r),
  });
  sealed += await sealTable<OutboxEntry, string>(db, {
    table: db.outbox as unknown as Table<OutboxEntry, string>,
    key: (r) => r.id,
    seal: (r) => sealOutboxEntry(db.sealer, r),
  });
  // PIN verifiers: a staff pull replaces them sealed, but a terminal offline since the upgrade
  // would keep them in clear until then. The lockout counts (v9) are sealed too.
  sealed += await sealTable<StaffMember, string>(db, {
    table: db.staff as unknown as Table<StaffMember, string>,
    key: (r) => r.id,
    seal: (r) => sealStaff(db.sealer, r),
  });
  sealed += await sealTable<PinLockout, string>(db, {
    table: db.pinLockouts as unknown as Table<PinLockout, string>,
    key: (r) => r.guideId,
    seal: (r) => sealLockout(db, r),
  });
  await db.customerMeta.delete(AT_REST_MARKER);
  return sealed;
}
