import { newId } from '../../shared/domain/ids';
import type { CrmCustomer, ItemResult, Sizes } from '../../shared/protocol';
import { phoneHashKey } from '../admin/service';
import { lockChangeFeed, type Db, type Queryable } from '../db/database';
import {
  generateMemberCode,
  liveCustomerByPhone,
  maxCursor,
  phoneIdentity,
  type BatchOutcome,
  type PhoneIdentity,
} from './identity';
import {
  CUSTOMER_COLUMNS,
  isTombstoneRow,
  resolveLiveCustomerId,
  type CustomerRow,
} from './profile';

/** The head-office-owned fields of a customer, as written to the row. */
type CrmFields = {
  name: string;
  phoneE164: string | null;
  phoneHash: string | null;
  memberCode: string;
  tier: string;
  points: number;
  gender: string;
  birthday: string | null;
  sizes: Sizes;
  favouriteCategories: string[];
  homeStoreId: string | null;
  tags: string[];
  notes: string;
  consentMarketing: boolean;
  crmId: string;
};

/** JSON with sorted keys: jsonb hands keys back in its own order, so compare canonically. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : v,
  );
}

function fieldsOf(row: CustomerRow): CrmFields {
  return {
    name: row.name,
    phoneE164: row.phone_e164,
    phoneHash: row.phone_hash,
    memberCode: row.member_code,
    tier: row.tier,
    points: Number(row.points),
    gender: row.gender,
    birthday: row.birthday,
    sizes: row.sizes ?? {},
    favouriteCategories: row.favourite_categories ?? [],
    homeStoreId: row.home_store_id,
    tags: row.tags ?? [],
    notes: row.notes,
    consentMarketing: row.consent_marketing,
    crmId: row.crm_id ?? '',
  };
}

/**
 * The row's next state. Head office is authoritative for its own record; when a CRM record first
 * attaches to a customer registered in a store, what the guide captured (sizes, tags, notes,
 * consent) is kept where the CRM has nothing, so the merge loses nothing either side knew.
 */
function nextFields(
  item: CrmCustomer,
  phone: PhoneIdentity | null,
  existing: CrmFields,
  attaching: boolean,
): CrmFields {
  return {
    crmId: item.crmId,
    name: item.name,
    phoneE164: phone?.e164 ?? existing.phoneE164,
    phoneHash: phone?.hash ?? existing.phoneHash,
    memberCode: item.memberCode ?? existing.memberCode,
    tier: item.tier,
    points: item.points,
    gender: attaching && item.gender === 'unknown' ? existing.gender : item.gender,
    birthday: item.birthday ?? existing.birthday,
    sizes: attaching ? { ...existing.sizes, ...item.sizes } : item.sizes,
    favouriteCategories:
      attaching && item.favouriteCategories.length === 0
        ? existing.favouriteCategories
        : item.favouriteCategories,
    homeStoreId: item.homeStoreId ?? existing.homeStoreId,
    tags: attaching ? [...new Set([...existing.tags, ...item.tags])] : item.tags,
    notes: attaching && item.notes === '' ? existing.notes : item.notes,
    consentMarketing: attaching
      ? existing.consentMarketing || item.consentMarketing
      : item.consentMarketing,
  };
}

const blankFields = (memberCode: string): CrmFields => ({
  crmId: '',
  name: '',
  phoneE164: null,
  phoneHash: null,
  memberCode,
  tier: 'regular',
  points: 0,
  gender: 'unknown',
  birthday: null,
  sizes: {},
  favouriteCategories: [],
  homeStoreId: null,
  tags: [],
  notes: '',
  consentMarketing: false,
});

const fieldParams = (f: CrmFields) => [
  f.crmId,
  f.name,
  f.phoneE164,
  f.phoneHash,
  f.memberCode,
  f.tier,
  f.points,
  f.gender,
  f.birthday,
  JSON.stringify(f.sizes),
  JSON.stringify(f.favouriteCategories),
  f.homeStoreId,
  JSON.stringify(f.tags),
  f.notes,
  f.consentMarketing,
];

async function insertCustomer(tx: Queryable, id: string, f: CrmFields): Promise<string> {
  const [row] = await tx.query<{ seq: string }>(
    `insert into customers(id, seq, crm_id, name, phone_e164, phone_hash, member_code, tier, points,
       gender, birthday, sizes, favourite_categories, home_store_id, tags, notes, consent_marketing)
     values ($1, nextval('change_seq'), $2, $3, $4, $5, $6, $7, $8, $9, $10::date, $11::jsonb,
       $12::jsonb, $13, $14::jsonb, $15, $16)
     returning seq::text as seq`,
    [id, ...fieldParams(f)],
  );
  return row!.seq;
}

async function updateCustomer(tx: Queryable, id: string, f: CrmFields): Promise<string> {
  const [row] = await tx.query<{ seq: string }>(
    `update customers set seq = nextval('change_seq'), updated_at = now(), crm_id = $2, name = $3,
       phone_e164 = $4, phone_hash = $5, member_code = $6, tier = $7, points = $8, gender = $9,
       birthday = $10::date, sizes = $11::jsonb, favourite_categories = $12::jsonb,
       home_store_id = $13, tags = $14::jsonb, notes = $15, consent_marketing = $16
     where id = $1 returning seq::text as seq`,
    [id, ...fieldParams(f)],
  );
  return row!.seq;
}

async function rowWhere(tx: Queryable, where: string, value: string): Promise<CustomerRow | null> {
  const rows = await tx.query<CustomerRow>(
    `select ${CUSTOMER_COLUMNS} from customers c where ${where}`,
    [value],
  );
  return rows[0] ?? null;
}

type Outcome = { result: ItemResult; seq: string | null };
const reject = (id: string, reason: string): Outcome => ({
  result: { id, status: 'rejected', reason },
  seq: null,
});

async function upsertOne(
  tx: Queryable,
  item: CrmCustomer,
  storeIds: ReadonlySet<string>,
  key: string,
): Promise<Outcome> {
  const id = item.crmId;
  if (item.homeStoreId && !storeIds.has(item.homeStoreId))
    return reject(id, `unknown home store ${item.homeStoreId}`);
  const phone = item.phone ? await phoneIdentity(tx, item.phone, key) : null;
  if (item.phone && !phone) return reject(id, 'invalid phone number');

  let row = await rowWhere(tx, 'c.crm_id = $1', item.crmId);
  if (row && isTombstoneRow(row)) {
    // The CRM record was merged away at the hub: its updates land on the surviving customer.
    const live = await resolveLiveCustomerId(tx, row.id);
    if (!live) return reject(id, 'customer was deleted');
    row = await rowWhere(tx, 'c.id = $1', live);
  }
  let attaching = false;
  if (!row && phone) {
    // Same person known by phone (e.g. registered in a store): attach instead of duplicating.
    const byPhone = await liveCustomerByPhone(tx, phone.e164);
    if (byPhone) {
      row = await rowWhere(tx, 'c.id = $1', byPhone);
      if (row?.crm_id && row.crm_id !== item.crmId)
        return reject(id, `phone already belongs to CRM customer ${row.crm_id}`);
      attaching = true;
    }
  }
  if (row && phone) {
    const holder = await liveCustomerByPhone(tx, phone.e164);
    if (holder && holder !== row.id) return reject(id, 'phone already belongs to another customer');
  }
  if (item.memberCode) {
    const holder = await tx.query<{ id: string }>(
      'select id from customers where member_code = $1',
      [item.memberCode],
    );
    if (holder[0] && holder[0].id !== row?.id)
      return reject(id, 'member code already belongs to another customer');
  }

  if (!row) {
    const memberCode = item.memberCode ?? (await generateMemberCode(tx));
    const fields = nextFields(item, phone, blankFields(memberCode), false);
    const seq = await insertCustomer(tx, newId(), fields);
    return { result: { id, status: 'accepted' }, seq };
  }
  const before = fieldsOf(row);
  const after = nextFields(item, phone, before, attaching);
  if (canonical(before) === canonical(after))
    return { result: { id, status: 'duplicate' }, seq: null };
  const seq = await updateCustomer(tx, row.id, after);
  return { result: { id, status: 'accepted' }, seq };
}

/**
 * Batch upsert of head-office CRM customers, idempotent by `crmId`: a re-send that changes
 * nothing answers `duplicate` and does not move the customer in the feed. A record whose phone
 * matches a live customer attaches to it rather than creating a second person. Runs as one
 * transaction under the change-feed lock; `cursor` is the highest sequence written (null if
 * nothing changed) for the caller to announce as `customers:changed`.
 */
export async function upsertCrmCustomers(
  db: Db,
  items: readonly CrmCustomer[],
): Promise<BatchOutcome> {
  return db.transaction(async (tx) => {
    await lockChangeFeed(tx);
    const storeIds = new Set(
      (await tx.query<{ id: string }>('select id from stores')).map((r) => r.id),
    );
    const key = await phoneHashKey(tx);
    const results: ItemResult[] = [];
    let cursor: string | null = null;
    for (const item of items) {
      const outcome = await upsertOne(tx, item, storeIds, key);
      results.push(outcome.result);
      cursor = maxCursor(cursor, outcome.seq);
    }
    return { results, cursor };
  });
}
