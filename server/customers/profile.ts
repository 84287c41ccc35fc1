import {
  clampTo,
  MAX_COUNT,
  MAX_ORDER_TOTAL_FEN,
  MAX_POINTS,
  MAX_SPEND_FEN,
  saturatingAdd,
} from '../../shared/domain/limits';
import { phoneLast4 } from '../../shared/domain/phone';
import { phoneTag } from '../../shared/domain/phone-tag';
import {
  EMPTY_IN_STORE,
  EMPTY_ONLINE,
  type CustomerBinding,
  type CustomerFeedItem,
  type CustomerProfile,
  type CustomerTombstone,
  type MarketingConsent,
  type Gender,
  type OnlineSummary,
  type BehaviourItem,
  type Sizes,
  type StoreSummary,
  type TerminalOnline,
  type Tier,
  type TrailItem,
} from '../../shared/protocol';
import type { Queryable } from '../db/database';

/** SQL for an instant as ISO-8601 UTC text, identical on PGlite and PostgreSQL. */
export const isoSql = (column: string): string =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The select list `rowToProfile` expects, written against the alias `c`:
 * `select ${CUSTOMER_COLUMNS} from customers c where …`. Bigints and dates come back as text so
 * both database drivers give the same row.
 */
export const CUSTOMER_COLUMNS = [
  'c.id',
  'c.seq::text as seq',
  'c.crm_id',
  'c.name',
  'c.phone_e164',
  'c.phone_hash',
  'c.member_code',
  'c.tier',
  'c.points',
  'c.gender',
  'c.birthday::text as birthday',
  'c.sizes',
  'c.favourite_categories',
  'c.home_store_id',
  'c.tags',
  'c.notes',
  'c.consent_marketing',
  'c.online',
  'c.in_store',
  'c.registered_store_id',
  'c.merged_into',
  'c.deleted',
  `${isoSql('c.created_at')} as created_at`,
  `${isoSql('c.updated_at')} as updated_at`,
  // The guide's own customers (server/bindings/): the binding and its guide's name, or null.
  `(select jsonb_build_object('guideId', b.guide_id, 'guideName', g.name,
      'since', ${isoSql('b.bound_at')})
     from customer_bindings b join guides g on g.id = b.guide_id
    where b.customer_id = c.id) as binding`,
  // Marketing consent recorded at a terminal (server/outreach/consents.ts), or null.
  `(select jsonb_build_object('granted', m.granted, 'at', ${isoSql('m.at')},
      'noticeVersion', m.notice_version)
     from marketing_consents m where m.customer_id = c.id) as marketing_consent`,
].join(', ');

/** A `customers` row as selected with `CUSTOMER_COLUMNS`. Holds the raw phone: hub-side only. */
export type CustomerRow = {
  id: string;
  seq: string;
  crm_id: string | null;
  name: string;
  phone_e164: string | null;
  phone_hash: string | null;
  member_code: string;
  tier: string;
  points: number;
  gender: string;
  birthday: string | null;
  sizes: Sizes;
  favourite_categories: string[];
  home_store_id: string | null;
  tags: string[];
  notes: string;
  consent_marketing: boolean;
  online: OnlineSummary;
  in_store: StoreSummary;
  registered_store_id: string | null;
  merged_into: string | null;
  deleted: boolean;
  created_at: string;
  updated_at: string;
  binding: CustomerBinding | null;
  marketing_consent: MarketingConsent | null;
};

/** True for merged or deleted rows: they travel as tombstones, never as profiles. */
export const isTombstoneRow = (row: CustomerRow): boolean =>
  row.deleted || row.merged_into !== null;

/**
 * Maps a customers row to the wire profile: only what the counter shows or searches (each field
 * and why: docs/privacy.md). The raw phone never leaves the hub, nor its masked form or its full
 * keyed hash: terminals get the last four digits and the 11-bit tag of the hash (enough to match a
 * typed number, far too little to give it back; shared/domain/phone-tag.ts). The birthday goes as
 * month-day. Every field is picked by name, so a key added to a JSON column never reaches a
 * terminal by accident.
 * The customer feed stores this as JSON per row (server/sync/feed-json.ts): a change here needs a
 * migration that marks the stored JSON out of date.
 */
export function rowToProfile(row: CustomerRow): CustomerProfile {
  // Every number is brought within the feed schema's limits on the way out, so a row written
  // before the limits existed (or by a path that forgot them) still reaches the terminals.
  const online = boundOnline({ ...EMPTY_ONLINE, ...row.online });
  const inStore: StoreSummary = boundInStore({ ...EMPTY_IN_STORE, ...row.in_store });
  const hasPhone = row.phone_e164 !== null && row.phone_hash !== null;
  return {
    id: row.id,
    seq: row.seq,
    name: row.name,
    phoneLast4: hasPhone ? phoneLast4(row.phone_e164!) : null,
    phoneTag: hasPhone ? phoneTag(row.phone_hash!) : null,
    memberCode: row.member_code,
    tier: row.tier as Tier,
    points: clampTo(row.points, MAX_POINTS),
    gender: row.gender as Gender,
    // "YYYY-MM-DD" → "MM-DD": the counter greets a birthday, it has no use for the age.
    birthday: row.birthday ? row.birthday.slice(5, 10) : null,
    sizes: row.sizes ?? {},
    favouriteCategories: row.favourite_categories ?? [],
    homeStoreId: row.home_store_id,
    tags: row.tags ?? [],
    notes: row.notes,
    online: toTerminalOnline(online),
    inStore: {
      storeOrders: inStore.storeOrders,
      storeSpend: inStore.storeSpend,
      lastPurchases: inStore.lastPurchases.map((p) => ({
        orderId: p.orderId,
        storeId: p.storeId,
        channel: p.channel,
        at: p.at,
        total: p.total,
        items: p.items.map((i) => ({
          sku: i.sku,
          ...(i.name !== undefined ? { name: i.name } : {}),
          quantity: i.quantity,
        })),
      })),
    },
    lifetimeSpend: saturatingAdd(online.onlineSpend, inStore.storeSpend, MAX_SPEND_FEN),
    binding: row.binding ?? null,
    // A consent recorded at a terminal decides; without one, the CRM's or registration's flag.
    marketingConsent: row.marketing_consent ?? {
      granted: row.consent_marketing,
      at: null,
      noticeVersion: null,
    },
  };
}

/** A trail item as terminals get it (no channel). */
const toTrailItem = (item: BehaviourItem): TrailItem => ({
  sku: item.sku,
  ...(item.name !== undefined ? { name: item.name } : {}),
  at: item.at,
  ...(item.dwellSeconds !== undefined ? { dwellSeconds: item.dwellSeconds } : {}),
});

const toTerminalOnline = (online: OnlineSummary): TerminalOnline => ({
  viewed: (online.viewed ?? []).map(toTrailItem),
  carted: (online.carted ?? []).map(toTrailItem),
  wishlisted: (online.wishlisted ?? []).map(toTrailItem),
  onlineOrders: online.onlineOrders,
  onlineSpend: online.onlineSpend,
});

const boundOnline = (online: OnlineSummary): OnlineSummary => ({
  ...online,
  onlineOrders: clampTo(online.onlineOrders, MAX_COUNT),
  onlineSpend: clampTo(online.onlineSpend, MAX_SPEND_FEN),
});

const boundInStore = (inStore: StoreSummary): StoreSummary => ({
  ...inStore,
  storeOrders: clampTo(inStore.storeOrders, MAX_COUNT),
  storeSpend: clampTo(inStore.storeSpend, MAX_SPEND_FEN),
  lastPurchases: (inStore.lastPurchases ?? []).map((p) => ({
    ...p,
    total: clampTo(p.total, MAX_ORDER_TOTAL_FEN),
  })),
});

export function rowToTombstone(row: CustomerRow): CustomerTombstone {
  return { id: row.id, seq: row.seq, deleted: true, mergedInto: row.merged_into };
}

/** Feed form of a row: a tombstone for merged/deleted customers, the full profile otherwise. */
export const rowToFeedItem = (row: CustomerRow): CustomerFeedItem =>
  isTombstoneRow(row) ? rowToTombstone(row) : rowToProfile(row);

/** Loads rows by id (live and tombstoned alike). */
export async function loadCustomerRows(
  db: Queryable,
  ids: readonly string[],
): Promise<Map<string, CustomerRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<CustomerRow>(
    `select ${CUSTOMER_COLUMNS} from customers c where c.id = any($1::uuid[])`,
    [[...new Set(ids)]],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * Profiles of the given live customers, keyed by id (lower case, as the database spells uuids). Merged or deleted ids are left out; use
 * `resolveLiveCustomerId` first when an old id may have been merged away.
 */
export async function loadProfiles(
  db: Queryable,
  ids: readonly string[],
): Promise<Map<string, CustomerProfile>> {
  const rows = await loadCustomerRows(db, ids);
  const out = new Map<string, CustomerProfile>();
  for (const [id, row] of rows) if (!isTombstoneRow(row)) out.set(id, rowToProfile(row));
  return out;
}

export async function loadProfile(db: Queryable, id: string): Promise<CustomerProfile | null> {
  return (await loadProfiles(db, [id])).get(id.toLowerCase()) ?? null;
}
