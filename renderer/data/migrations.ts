import type { Transaction } from 'dexie';
import { EMPTY_IN_STORE, EMPTY_ONLINE } from '../../shared/protocol';
import { nameInitials, type CachedCustomer } from './customer-rows';
import { keysOf, packBlocks, type CustomerBlock } from './customer-index';
import { toV8Alert, toV8Customer } from './migrate-v8';
import { AT_REST_MARKER } from './at-rest';

/**
 * Numbered Dexie versions. Never edit a shipped entry: add the next one with its upgrade, and a
 * test in migrations.test.ts that upgrades real data written by the previous version.
 */
export type Migration = {
  version: number;
  stores: Record<string, string | null>;
  upgrade?: (tx: Transaction) => Promise<void>;
};

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    stores: {
      // Only what the counter searches is indexed; `name` serves name-prefix lookups.
      customers: 'id, memberCode, phoneHash, phoneLast4, name',
      customerDetails: 'id',
      products: 'id, &sku, barcode',
      staff: 'id',
      alerts: 'alertId, status, at',
      visitsSeen: 'visitId, alertId',
      // [status+id]: pending entries in creation order (ids are UUIDv7, time-ordered).
      outbox: 'id, [status+id], status',
      syncState: 'feed',
      audit: 'id, synced, at',
    },
  },
  {
    // Pinyin-initials lookup ("wf" finds 王芳): a new index, filled for existing rows.
    version: 2,
    stores: {
      customers: 'id, memberCode, phoneHash, phoneLast4, name, initials',
    },
    upgrade: async (tx) => {
      await tx
        .table('customers')
        .toCollection()
        .modify((row: { name: string; initials?: string }) => {
          row.initials = nameInitials(row.name);
        });
    },
  },
  {
    // One row per customer: the online trail moves into the customers row (a second put per
    // profile was ~30% of an initial sync), and one compound index serves both the full-phone
    // lookup ([last 4, hash]) and the 尾号 lookup (last 4, any hash): one index entry, not two.
    version: 3,
    stores: {
      customers: 'id, memberCode, [phoneLast4+phoneHash], name, initials',
      customerDetails: null,
    },
    upgrade: async (tx) => {
      // In chunks, so a terminal with 200,000 cached profiles never holds them all in memory.
      const details = tx.table('customerDetails');
      const customers = tx.table('customers');
      let after: string | null = null;
      for (;;) {
        const chunk: { id: string; online: unknown; inStore: unknown }[] = await (
          after === null ? details.orderBy(':id') : details.where(':id').above(after)
        )
          .limit(MIGRATION_CHUNK)
          .toArray();
        if (chunk.length === 0) break;
        const rows: (Record<string, unknown> | undefined)[] = await customers.bulkGet(
          chunk.map((d) => d.id),
        );
        const merged = chunk.flatMap((d, i) => {
          const row = rows[i];
          return row ? [{ ...row, online: d.online, inStore: d.inStore }] : [];
        });
        await customers.bulkPut(merged);
        after = chunk[chunk.length - 1]!.id;
      }
      // Rows that never had details (none are written that way, but be total): empty summaries.
      await customers
        .filter((row: Record<string, unknown>) => row.online === undefined)
        .modify((row: Record<string, unknown>) => {
          row.online = { ...EMPTY_ONLINE };
          row.inStore = { ...EMPTY_IN_STORE };
        });
    },
  },
  {
    // Where a customer id went: a provisional (offline-registered) id the hub mapped to another
    // customer, or a merged-away member. A profile left open on the old id follows it.
    version: 4,
    stores: { customerAliases: 'id' },
  },
  {
    // Customers packed 100 to a record with their lookup keys in memory (customer-store.ts): an
    // initial sync of 200,000 profiles went from 55–70 s to under 30 s. Customers registered
    // here and not yet confirmed by the hub keep their own small, natively indexed table, so a
    // registration stays one strict write together with its outbox entry.
    version: 5,
    stores: {
      customers: null,
      customerBlocks: 'id',
      customerKeys: 'id',
      // the store's write stamp (customer-store.ts): windows detect each other's writes by it
      customerMeta: 'key',
      provisionalCustomers: 'id, memberCode, [phoneLast4+phoneHash], name, initials',
    },
    upgrade: async (tx) => {
      const customers = tx.table('customers');
      const blocks = tx.table('customerBlocks');
      const keys = tx.table('customerKeys');
      let after: string | null = null;
      let nextBlock = 0;
      for (;;) {
        const chunk: CachedCustomer[] = await (
          after === null ? customers.orderBy(':id') : customers.where(':id').above(after)
        )
          .limit(MIGRATION_CHUNK)
          .toArray();
        if (chunk.length === 0) break;
        await tx.table('provisionalCustomers').bulkPut(chunk.filter((r) => r.provisional));
        const packed = packBlocks(
          chunk.filter((r) => !r.provisional),
          nextBlock,
        );
        nextBlock += packed.length;
        await blocks.bulkPut(packed);
        await keys.bulkPut(packed.map(keysOf));
        after = chunk[chunk.length - 1]!.id;
      }
    },
  },
  {
    // A live change that leaves a customer's lookup keys alone (points, spend, the online trail:
    // most of what head office sends, above all at a peak) is written as one row here instead of
    // rewriting the customer's whole record of 100: a pull page of 1,000 such changes spread over
    // 200,000 cached profiles rewrote ≈ 790 records (3.4 s). See customer-store.ts.
    version: 6,
    stores: { customerOverrides: 'id' },
  },
  {
    // Feed rows that failed validation are set aside instead of failing their whole page (one bad
    // row used to stop a feed on every terminal for good, issue #12); kept here for diagnosis,
    // `reported` until the hub has been told, `at` to keep only the newest.
    version: 7,
    stores: { feedRejects: 'key, reported, at' },
  },
  {
    // Nothing on the terminal gives back a phone number (issue #13): each cached customer's full
    // keyed phone hash becomes its 11-bit tag (the hash's first bits: no key needed), the masked
    // number goes (the 尾号 stays), the birthday keeps month and day, and fields the counter never
    // reads go (migrate-v8.ts). Alert cards keep the 尾号 of their masked number.
    version: 8,
    stores: { provisionalCustomers: 'id, memberCode, [phoneLast4+phoneTag], name, initials' },
    upgrade: async (tx) => {
      const blocks = tx.table('customerBlocks');
      const keys = tx.table('customerKeys');
      let after = -Infinity;
      for (;;) {
        const chunk: CustomerBlock[] = await blocks
          .where(':id')
          .above(after)
          .limit(MIGRATION_CHUNK / 100)
          .toArray();
        if (chunk.length === 0) break;
        const rewritten = chunk.map((b) => ({ id: b.id, rows: b.rows.map(toV8Customer) }));
        await blocks.bulkPut(rewritten);
        // The key records held the full hashes and masked numbers too: rebuilt from the blocks.
        await keys.bulkPut(rewritten.map(keysOf));
        after = chunk[chunk.length - 1]!.id;
      }
      for (const table of ['customerOverrides', 'provisionalCustomers'])
        await tx
          .table(table)
          .toCollection()
          .modify((row: Record<string, unknown>, ref: { value: unknown }) => {
            ref.value = toV8Customer(row);
          });
      await tx
        .table('alerts')
        .toCollection()
        .modify((alert: Record<string, unknown>, ref: { value: unknown }) => {
          ref.value = toV8Alert(alert);
        });
    },
  },
  {
    // PIN lockout per guide (issue #13, item 2), moved out of localStorage: one small row per guide
    // with wrong PINs, read and written only by data/pin-lockouts.ts (so encryption at rest can
    // wrap it in one place). Old localStorage counts are dropped at start (a lock lasts 5 min).
    version: 9,
    stores: { pinLockouts: 'guideId' },
  },
  {
    // Encryption at rest (issue #13 item 3): customer blocks, override rows, provisional
    // customers, alerts and outbox entries are sealed (AES-GCM, sealed.ts). No schema change —
    // sealed rows keep their primary keys and indexed fields in clear. The upgrade cannot seal
    // here (the key comes from the platform bridge, which a versionchange transaction cannot wait
    // for, and 200,000 profiles would hold it for long): it leaves a marker, and the resumable
    // pass in at-rest.ts seals the clear rows after open, before the app uses the cache.
    version: 10,
    stores: {},
    upgrade: async (tx) => {
      await tx.table('customerMeta').put({ key: AT_REST_MARKER, value: 0 });
    },
  },
  {
    // Follow-up tasks (跟进, issue #15 item 3): the store's open tasks from the hub's per-store
    // feed. A task carries ids, its kind, due time and why (an item's SKU, a no-purchase
    // reason) — no names, phones or notes, so rows are kept in clear like products.
    version: 11,
    // `visitOutcomes`: the reason a guide recorded for an arrival here (alert id, reason, time;
    // the note travels sealed in the outbox only), so the card shows it was recorded.
    stores: { followUps: 'id, dueAt', visitOutcomes: 'alertId' },
  },
  {
    // Styles and stock truth (issue #16, items 3 and 4). Products are found by style (her size in
    // another colour or size of what she looked at); a sale made here holds its units off the
    // cached stock at once (`stockHolds`, one row per order and SKU, no personal data: kept in
    // clear) until a catalog pull brings the hub's figure, which includes it (data/stock-holds.ts).
    // Products cached before know no style: they read as their own style until the feed resends
    // them.
    version: 12,
    stores: {
      products: 'id, &sku, barcode, styleCode',
      stockHolds: '[orderId+sku], sku, state',
    },
    upgrade: async (tx) => {
      await tx
        .table('products')
        .toCollection()
        .modify((row: { styleCode?: string | null; sizeKind?: string | null }) => {
          row.styleCode ??= null;
          row.sizeKind ??= null;
        });
    },
  },
  {
    // Outreach (issue #15 item 4). `consentChanges`: a member's marketing consent given or
    // withdrawn on this terminal (customer id, granted, the notice version, the time; no names),
    // shown at once and until the customer feed brings a change as late or later — the change
    // itself waits sealed in the outbox. `hubSettings`: head office's settings (the mini-store
    // link pattern), refreshed from GET /terminal at every sync, so they change without
    // re-enrolling. Both new: nothing to upgrade.
    version: 13,
    stores: { consentChanges: 'customerId', hubSettings: 'key' },
  },
];

const MIGRATION_CHUNK = 2_000;

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
