import { newId } from '../../shared/domain/ids';
import { resolveLiveCustomerId } from './merge-chain';
import type { CrmCustomer, ItemResult } from '../../shared/protocol';
import { phoneHashKey } from './phone-key';
import { changeFeedTransaction, type Db, type Queryable } from '../db/database';
import {
  blankFields,
  canonical,
  crmColumns,
  fieldParams,
  fieldsOf,
  nextFields,
  pendingRow,
  type CrmFields,
} from './crm-fields';
import {
  generateMemberCode,
  generateMemberCodes,
  maxCursor,
  phoneIdentity,
  type BatchOutcome,
  type PhoneIdentity,
} from './identity';
import { CUSTOMER_COLUMNS, isTombstoneRow, type CustomerRow } from './profile';
import { nearestStoreIndexOf, type StorePlace } from '../stores/nearest-store';

/**
 * New customers go in as one statement: on PGlite every statement has a noticeable fixed cost,
 * and a CRM import or the demo seed creates thousands at a time.
 */
async function insertCustomers(
  tx: Queryable,
  rows: readonly { id: string; fields: CrmFields }[],
): Promise<string | null> {
  if (rows.length === 0) return null;
  const records = rows.map(({ id, fields }) => ({ id, ...crmColumns(fields) }));
  const [row] = await tx.query<{ seq: string | null }>(
    `with inserted as (
       insert into customers (id, seq, crm_id, name, phone_e164, phone_hash, member_code, tier,
         points, gender, birthday, sizes, favourite_categories, home_store_id, tags, notes,
         consent_marketing)
       select x.id, nextval('change_seq'), x.crm_id, x.name, x.phone_e164, x.phone_hash,
         x.member_code, x.tier, x.points, x.gender, x.birthday, x.sizes, x.favourite_categories,
         x.home_store_id, x.tags, x.notes, x.consent_marketing
       from jsonb_to_recordset($1::jsonb) as x(id uuid, crm_id text, name text, phone_e164 text,
         phone_hash text, member_code text, tier text, points integer, gender text, birthday date,
         sizes jsonb, favourite_categories jsonb, home_store_id uuid, tags jsonb, notes text,
         consent_marketing boolean)
       returning seq)
     select max(seq)::text as seq from inserted`,
    [JSON.stringify(records)],
  );
  return row?.seq ?? null;
}

async function updateCustomer(tx: Queryable, id: string, f: CrmFields): Promise<CustomerRow> {
  const [row] = await tx.query<CustomerRow>(
    `update customers c set seq = nextval('change_seq'), updated_at = now(), crm_id = $2, name = $3,
       phone_e164 = $4, phone_hash = $5, member_code = $6, tier = $7, points = $8, gender = $9,
       birthday = $10::date, sizes = $11::jsonb, favourite_categories = $12::jsonb,
       home_store_id = $13, tags = $14::jsonb, notes = $15, consent_marketing = $16
     where c.id = $1 returning ${CUSTOMER_COLUMNS}`,
    [id, ...fieldParams(f)],
  );
  return row!;
}

async function rowById(tx: Queryable, id: string): Promise<CustomerRow | null> {
  const rows = await tx.query<CustomerRow>(
    `select ${CUSTOMER_COLUMNS} from customers c where c.id = $1`,
    [id],
  );
  return rows[0] ?? null;
}

/**
 * What the batch needs to know about existing customers, fetched in one query up front and kept
 * current as the batch writes (a later item may attach to a customer an earlier one created).
 * Every lookup below is by a CRM id, phone or member code that occurs in the batch, so the
 * prefetch plus the batch's own writes answer them all. Safe because the change-feed lock keeps
 * other customer writers out until commit.
 */
type BatchIndex = {
  byCrm: Map<string, CustomerRow>;
  /** live customers only */
  byPhone: Map<string, string>;
  codeHolder: Map<string, string>;
  rows: Map<string, CustomerRow>;
  /** customers this batch creates, written in one statement at the end */
  pending: Map<string, CrmFields>;
  /** pre-generated member codes for new customers that bring none */
  codePool: string[];
};

async function buildIndex(
  tx: Queryable,
  crmIds: string[],
  phones: string[],
  codes: string[],
): Promise<BatchIndex> {
  const rows = await tx.query<CustomerRow>(
    `select ${CUSTOMER_COLUMNS} from customers c
     where c.crm_id = any($1::text[]) or c.member_code = any($3::text[])
        or (c.phone_e164 = any($2::text[]) and c.merged_into is null and not c.deleted)`,
    [crmIds, phones, codes],
  );
  const index: BatchIndex = {
    byCrm: new Map(),
    byPhone: new Map(),
    codeHolder: new Map(),
    rows: new Map(),
    pending: new Map(),
    codePool: [],
  };
  for (const row of rows) remember(index, row, null);
  return index;
}

/** Records a row's current state, forgetting what it held before (`previous`). */
function remember(index: BatchIndex, row: CustomerRow, previous: CustomerRow | null): void {
  if (previous?.phone_e164 && index.byPhone.get(previous.phone_e164) === row.id)
    index.byPhone.delete(previous.phone_e164);
  if (previous && index.codeHolder.get(previous.member_code) === row.id)
    index.codeHolder.delete(previous.member_code);
  if (previous?.crm_id && index.byCrm.get(previous.crm_id)?.id === row.id)
    index.byCrm.delete(previous.crm_id);
  index.rows.set(row.id, row);
  if (row.crm_id) index.byCrm.set(row.crm_id, row);
  index.codeHolder.set(row.member_code, row.id);
  if (row.phone_e164 && !isTombstoneRow(row)) index.byPhone.set(row.phone_e164, row.id);
}

type Outcome = { result: ItemResult; seq: string | null };
const reject = (id: string, reason: string): Outcome => ({
  result: { id, status: 'rejected', reason },
  seq: null,
});

async function upsertOne(
  tx: Queryable,
  item: CrmCustomer,
  phone: PhoneIdentity | null,
  storeIds: ReadonlySet<string>,
  index: BatchIndex,
): Promise<Outcome> {
  const id = item.crmId;
  if (item.homeStoreId && !storeIds.has(item.homeStoreId))
    return reject(id, `unknown home store ${item.homeStoreId}`);
  if (item.phone && !phone) return reject(id, 'invalid phone number');

  let row = index.byCrm.get(item.crmId) ?? null;
  if (row && isTombstoneRow(row)) {
    // Merged at head office's request into a customer that has its own CRM record: updates for
    // the old record must not overwrite the survivor (nor steal its CRM id), so say why instead.
    const live = await resolveLiveCustomerId(tx, row.id);
    return reject(id, live ? `merged into customer ${live}` : 'customer was deleted');
  }
  let attaching = false;
  if (!row && phone) {
    // Same person known by phone (e.g. registered in a store): attach instead of duplicating.
    const holder = index.byPhone.get(phone.e164);
    if (holder) {
      row = index.rows.get(holder) ?? (await rowById(tx, holder));
      if (row?.crm_id && row.crm_id !== item.crmId)
        return reject(id, `phone already belongs to CRM customer ${row.crm_id}`);
      attaching = true;
    }
  }
  if (row && phone) {
    const holder = index.byPhone.get(phone.e164);
    if (holder && holder !== row.id) return reject(id, 'phone already belongs to another customer');
  }
  if (item.memberCode) {
    const holder = index.codeHolder.get(item.memberCode);
    if (holder && holder !== row?.id)
      return reject(id, 'member code already belongs to another customer');
  }

  if (!row) {
    const memberCode = item.memberCode ?? index.codePool.pop() ?? (await generateMemberCode(tx));
    const fields = nextFields(item, phone, blankFields(memberCode), false);
    const newRowId = newId();
    index.pending.set(newRowId, fields);
    remember(index, pendingRow(newRowId, fields), null);
    return { result: { id, status: 'accepted' }, seq: null };
  }
  const before = fieldsOf(row);
  const after = nextFields(item, phone, before, attaching);
  if (canonical(before) === canonical(after))
    return { result: { id, status: 'duplicate' }, seq: null };
  if (index.pending.has(row.id)) {
    // Created earlier in this same batch: amend what will be inserted.
    index.pending.set(row.id, after);
    remember(index, pendingRow(row.id, after), row);
    return { result: { id, status: 'accepted' }, seq: null };
  }
  const updated = await updateCustomer(tx, row.id, after);
  remember(index, updated, row);
  return { result: { id, status: 'accepted' }, seq: updated.seq };
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
  // Normalising and hashing needs no lock: do it before taking one.
  const key = await phoneHashKey(db);
  const phones = await Promise.all(
    items.map((item) => (item.phone ? phoneIdentity(db, item.phone, key) : null)),
  );
  return changeFeedTransaction(db, async (tx) => {
    // Under the change-feed lock no store is saved (saveStore takes it too): these are the stores
    // SQL `nearest_store` would rank now.
    const stores = (
      await tx.query<{ id: string; lat: number | string; lng: number | string }>(
        'select id, lat, lng from stores order by id',
      )
    ).map((r) => ({ id: r.id, lat: Number(r.lat), lng: Number(r.lng) }));
    const storeIds = new Set(stores.map((s) => s.id));
    const index = await buildIndex(
      tx,
      items.map((i) => i.crmId),
      phones.flatMap((p) => (p ? [p.e164] : [])),
      items.flatMap((i) => (i.memberCode ? [i.memberCode] : [])),
    );
    index.codePool = await generateMemberCodes(
      tx,
      items.filter((i) => !i.memberCode && !index.byCrm.has(i.crmId)).length,
    );
    const results: ItemResult[] = [];
    let cursor: string | null = null;
    // Updates of existing rows run in item order; the new rows go in last, in one statement.
    // Every check above ran against the batch's evolving state, so neither can collide.
    for (const [n, item] of items.entries()) {
      // Store ids compare as text; the database spells uuids in lower case.
      const homeStoreId = item.homeStoreId?.toLowerCase();
      const outcome = await upsertOne(
        tx,
        { ...item, homeStoreId },
        phones[n] ?? null,
        storeIds,
        index,
      );
      results.push(outcome.result);
      cursor = maxCursor(cursor, outcome.seq);
    }
    const inserted = await insertCustomers(
      tx,
      [...index.pending].map(([id, fields]) => ({ id, fields })),
    );
    await storeLocations(
      tx,
      items.flatMap((item) => {
        const row = index.byCrm.get(item.crmId);
        return item.location && row ? [{ id: row.id, ...item.location }] : [];
      }),
      stores,
    );
    return { results, cursor: maxCursor(cursor, inserted) };
  });
}

/**
 * Head office's geocode of members (not sent to terminals, so no feed change): a new or moved one
 * brings the member into the nearest store's scope, its catchment. The nearest store is found here,
 * in process (server/stores/nearest-store.ts, SQL `nearest_store`'s ranking over the same stores),
 * and `locate_customers` (migration 025) enters it, the trigger of migration 021 leaving the
 * catchment to it — not a scan of every store per member in SQL.
 */
async function storeLocations(
  tx: Queryable,
  located: readonly { id: string; lat: number; lng: number }[],
  stores: readonly StorePlace[],
): Promise<void> {
  if (located.length === 0) return;
  const nearest = nearestStoreIndexOf(stores);
  await tx.query('select locate_customers($1::uuid[], $2::float8[], $3::float8[], $4::uuid[])', [
    located.map((l) => l.id),
    located.map((l) => l.lat),
    located.map((l) => l.lng),
    located.map((l) => nearest.nearest(l)),
  ]);
}
