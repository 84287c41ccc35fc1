import { Dexie, type IndexableType, type Table } from 'dexie';
import type {
  AlertStatus,
  ArrivalAlert,
  AuditAction,
  AuditDetail,
  ConsentChange,
  CustomerFeedId,
  FollowUpOutcome,
  Order,
  OrderReturn,
  ProfileEdit,
  RejectCode,
  VisitOutcome,
  ProductItem,
} from '../../shared/protocol';
import type { LocalCustomerRegistration } from './customer-rows';
import {
  CustomerStore,
  type CustomerKeys,
  type CustomerMeta,
  type StoredBlock,
  type StoredOverride,
} from './customer-store';
import type { AlertRow } from './alert-rows';
import type { OutboxRow } from './outbox-rows';
import type { StaffRow } from './staff-rows';
import type { ProvisionalRow } from './provisional';
import type { Sealer } from './sealed';
import type { SetAsideRow } from './feed-rejects';
import type { PinLockoutRow } from './pin-lockouts';
import type { StockHoldRow } from './stock-holds';
import type { FollowUpRow, VisitOutcomeRow } from './follow-ups';
import type { ConsentRow, HubSettingRow } from './consents';
import { MIGRATIONS } from './migrations';

/** An arrival alert as cached: the hub's alert plus when this terminal first stored it. */
export type StoredAlert = ArrivalAlert & { receivedAt: string };

/** A visit whose alert a guide has looked at on this terminal. */
export type VisitSeen = {
  visitId: string;
  alertId: string;
  seenAt: string;
  guideId: string | null;
};

/** `discarded`: a rejected entry a guide gave up on, with a reason (kept, never sent). */
export type OutboxStatus = 'pending' | 'synced' | 'rejected' | 'discarded';
type OutboxBase = {
  /** the client-generated id the hub deduplicates on */
  id: string;
  status: OutboxStatus;
  createdAt: string;
  attempts: number;
  lastAttemptAt: string | null;
  syncedAt: string | null;
  /** the hub's reason when rejected (English, for support) */
  reason: string | null;
  /** why, as a code the guide's language has a text and a fix for (absent on older rows) */
  reasonCode?: RejectCode | null;
  /** what the code is about: the refused SKUs, the unknown customer */
  about?: string[] | null;
  /** who gave up on a rejected entry, when and why */
  discarded?: { reason: string; guideId: string | null; at: string } | null;
};
export type OutboxOrder = OutboxBase & { kind: 'order'; order: Order };
export type OutboxRegistration = OutboxBase & {
  kind: 'registration';
  registration: LocalCustomerRegistration;
};
/** Why a claimed customer left without buying (#15 item 5). */
export type OutboxVisitOutcome = OutboxBase & { kind: 'visit_outcome'; visitOutcome: VisitOutcome };
/** How a follow-up task ended (#15 item 3). */
export type OutboxFollowUpOutcome = OutboxBase & {
  kind: 'follow_up_outcome';
  followUpOutcome: FollowUpOutcome;
};
/** A void, return or exchange of an order (#16 item 1; sealed whole: its note is free text). */
export type OutboxReturn = OutboxBase & { kind: 'return'; orderReturn: OrderReturn };
/** A member's marketing consent given or withdrawn here (#15 item 4). */
export type OutboxConsentChange = OutboxBase & {
  kind: 'consent_change';
  consentChange: ConsentChange;
};
/** A member's sizes, favourite categories, tags or notes edited here (#16 item 7; sealed whole). */
export type OutboxProfileEdit = OutboxBase & { kind: 'profile_edit'; profileEdit: ProfileEdit };
export type OutboxEntry =
  | OutboxOrder
  | OutboxRegistration
  | OutboxVisitOutcome
  | OutboxFollowUpOutcome
  | OutboxReturn
  | OutboxConsentChange
  | OutboxProfileEdit;

export type FeedName = 'customers' | 'catalog' | 'staff' | 'alerts' | 'followUps';
export type SyncStateRow = {
  feed: FeedName;
  /** server cursor (decimal string) for paged feeds; for alerts the newest `at` seen */
  cursor: string;
  /** rows applied since the feed started from cursor 0, for progress */
  rowsDone: number;
  /** the feed's last reported `total` (rows still to come plus done), when it reports one */
  totalEstimate: number | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  /**
   * customers only: which hub feed the cursor and the cached profiles are of (`chain` or
   * `store:<id>`). Absent on rows written before feed identities (their feed is unknown) and
   * before the first page. A page of another feed resets the cache (data/feeds.ts).
   */
  feedId?: CustomerFeedId;
  /**
   * customers only: the cache was emptied by a feed reset and is being filled again; cleared
   * when the new feed's head is reached (the terminal's "re-syncing" notice, sync-status/).
   */
  resyncing?: true;
};

/** A customer id that now lives on under another id (merge, or a registration the hub mapped). */
export type CustomerAlias = { id: string; to: string; at: string };

export type AuditEntry = {
  id: string;
  /** `profile_opened`, `phone_lookup`, `csv_export`; `sign_in` / `sign_in_failed` for sign-ins checked here while offline */
  action: AuditAction;
  guideId: string | null;
  /** the customer the action was about; null for a sign-in, an export, a lookup matching none */
  customerId: string | null;
  at: string;
  /** 0 until the hub has it (numbers, because IndexedDB cannot index booleans) */
  synced: 0 | 1;
  /** for `outbox_discarded`: which item, why (no personal data) */
  detail?: AuditDetail;
};

export type { AlertStatus };

/**
 * One IndexedDB database per terminal enrolment. The profile cache writes with relaxed
 * durability (it can always be pulled again); outbox writes go through `writeStrict`, because an
 * order the guide saw confirmed must survive a power cut.
 */
export class TerminalDb extends Dexie {
  /** the customers the hub knows, packed (see customer-store.ts); use `customerStore` */
  customerBlocks!: Table<StoredBlock, number>;
  customerKeys!: Table<CustomerKeys, number>;
  customerMeta!: Table<CustomerMeta, string>;
  /** newer versions of packed customers whose lookup keys did not change (customer-store.ts) */
  customerOverrides!: Table<StoredOverride, string>;
  /**
   * customers registered here that the hub has not confirmed yet (few; natively indexed): lookup
   * keys in clear, the rest sealed (provisional.ts)
   */
  provisionalCustomers!: Table<ProvisionalRow, string>;
  readonly customerStore: CustomerStore;
  customerAliases!: Table<CustomerAlias, string>;
  products!: Table<ProductItem, string>;
  /** the store's guides, PIN verifiers sealed (staff-rows.ts) */
  staff!: Table<StaffRow, string>;
  /** arrival alerts, the customer's card sealed (alert-rows.ts) */
  alerts!: Table<AlertRow, string>;
  /**
   * Never written outside tests (the "seen" marker was not wired into a screen). Kept declared:
   * dropping a table is a schema version of its own, with its migration test; retention still
   * prunes what an old build might have left.
   */
  visitsSeen!: Table<VisitSeen, string>;
  /** what waits for the hub; what an entry carries is sealed (outbox-rows.ts) */
  outbox!: Table<OutboxRow, string>;
  syncState!: Table<SyncStateRow, FeedName>;
  audit!: Table<AuditEntry, string>;
  /** feed rows that failed validation, set aside for diagnosis (data/feed-rejects.ts) */
  feedRejects!: Table<SetAsideRow, string>;
  /** wrong-PIN counts of offline sign-ins (data/pin-lockouts.ts) */
  pinLockouts!: Table<PinLockoutRow, string>;
  /** units this terminal sold that the cached stock does not show yet (data/stock-holds.ts) */
  stockHolds!: Table<StockHoldRow, [string, string]>;
  /** this store's open follow-up tasks (跟进), from the hub's feed (data/follow-ups.ts) */
  followUps!: Table<FollowUpRow, string>;
  /** why claimed customers left without buying, as recorded here (reason only, no note) */
  visitOutcomes!: Table<VisitOutcomeRow, string>;
  /** the latest consent change recorded here per member, until the feed brings a later one */
  consentChanges!: Table<ConsentRow, string>;
  /** head office's settings as the hub last gave them (the mini-store link pattern) */
  hubSettings!: Table<HubSettingRow, string>;

  /** seals and opens what this database keeps encrypted at rest (sealed.ts) */
  readonly sealer: Sealer;

  constructor(
    readonly terminalId: string,
    options: {
      /** the terminal's data key (from the platform bridge; renderer/app/data-key.ts) */
      sealer: Sealer;
      indexedDB?: IDBFactory;
      keyRange?: typeof IDBKeyRange;
      upToVersion?: number;
    },
  ) {
    super(terminalDbName(terminalId), {
      chromeTransactionDurability: 'relaxed',
      ...(options.indexedDB ? { indexedDB: options.indexedDB } : {}),
      ...(options.keyRange ? { IDBKeyRange: options.keyRange } : {}),
    });
    for (const migration of MIGRATIONS) {
      if (options.upToVersion !== undefined && migration.version > options.upToVersion) break;
      const version = this.version(migration.version).stores(migration.stores);
      if (migration.upgrade) version.upgrade(migration.upgrade);
    }
    this.sealer = options.sealer;
    this.customerStore = new CustomerStore(this, options.sealer);
    // Closed from elsewhere (another window deleted or upgraded it): the index goes too.
    this.on('close', () => this.customerStore.close());
  }

  override close(options?: { disableAutoOpen: boolean }): void {
    this.customerStore.close();
    super.close(options);
  }
}

export const terminalDbName = (terminalId: string) => `shopguide-terminal-${terminalId}`;

/**
 * Writes rows in one raw IndexedDB transaction with `durability: 'strict'` (Dexie only has a
 * per-database durability setting, and the cache wants relaxed). Returns when the commit is on disk.
 */
export async function writeStrict(
  db: TerminalDb,
  writes: { table: 'outbox' | 'provisionalCustomers' | 'stockHolds'; rows: readonly object[] }[],
): Promise<void> {
  if (!db.isOpen()) await db.open();
  const idb = db.backendDB();
  const names = [...new Set(writes.map((w) => w.table))];
  await new Promise<void>((resolve, reject) => {
    const tx = idb.transaction(names, 'readwrite', { durability: 'strict' });
    for (const write of writes) {
      const store = tx.objectStore(write.table);
      for (const row of write.rows) store.put(row);
    }
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('strict write failed'));
    tx.onabort = () => reject(tx.error ?? new Error('strict write aborted'));
  });
  await announceToLiveQueries(db, writes);
}

/**
 * Dexie did not make a `writeStrict` write, so its live queries — and the query cache they share —
 * do not know of it: a screen open now (the arrival card's 本店有货), or opened later while another
 * still watches the same rows, kept the figures from before (offline nothing else writes these
 * tables, so they stayed wrong; seen in test/e2e/counter-story.test.ts). The rows are read back and
 * put again through Dexie in one transaction: nothing changes (IndexedDB serialises this with any
 * later writer, e.g. the drain, and what is put back is what it finds), and Dexie tells every live
 * query, in this window and in others.
 */
async function announceToLiveQueries(
  db: TerminalDb,
  writes: { table: 'outbox' | 'provisionalCustomers' | 'stockHolds'; rows: readonly object[] }[],
): Promise<void> {
  const tables = [...new Set(writes.map((w) => w.table))].map((name) => db.table<object>(name));
  await db.transaction('rw', tables, async () => {
    for (const write of writes) {
      const table = db.table<object>(write.table);
      const keyPath = table.schema.primKey.keyPath ?? '';
      const keys = write.rows.map((row) => Dexie.getByKeyPath(row, keyPath) as IndexableType);
      const current = (await table.bulkGet(keys)).filter((row) => row !== undefined);
      if (current.length > 0) await table.bulkPut(current);
    }
  });
}

/**
 * Closes and deletes this terminal's database (the hub revoked the terminal): nothing of it stays
 * on the PC. Dexie does not reopen it afterwards.
 */
export async function wipeTerminalDb(db: TerminalDb): Promise<void> {
  db.close();
  await db.delete({ disableAutoOpen: true });
}
