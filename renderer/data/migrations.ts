import type { Transaction } from 'dexie';
import { nameInitials } from './customer-rows';

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
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
