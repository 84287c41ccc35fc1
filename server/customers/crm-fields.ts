/** How a CRM record maps onto a customer row: the fields head office owns, and how they merge. */
import type { CrmCustomer, Sizes } from '../../shared/protocol';
import type { PhoneIdentity } from './identity';
import { EMPTY_IN_STORE, EMPTY_ONLINE } from '../../shared/protocol';
import type { CustomerRow } from './profile';

/** The head-office-owned fields of a customer, as written to the row. */
export type CrmFields = {
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
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : v,
  );
}

export function fieldsOf(row: CustomerRow): CrmFields {
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
export function nextFields(
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

export const blankFields = (memberCode: string): CrmFields => ({
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

export const fieldParams = (f: CrmFields) => [
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

/** The customers-table columns a CRM record sets, by column name. */
export function crmColumns(f: CrmFields) {
  return {
    crm_id: f.crmId,
    name: f.name,
    phone_e164: f.phoneE164,
    phone_hash: f.phoneHash,
    member_code: f.memberCode,
    tier: f.tier,
    points: f.points,
    gender: f.gender,
    birthday: f.birthday,
    sizes: f.sizes,
    favourite_categories: f.favouriteCategories,
    home_store_id: f.homeStoreId,
    tags: f.tags,
    notes: f.notes,
    consent_marketing: f.consentMarketing,
  };
}

/** The in-memory row of a customer this batch is about to create. */
export function pendingRow(id: string, f: CrmFields): CustomerRow {
  return {
    id,
    seq: '',
    ...crmColumns(f),
    online: EMPTY_ONLINE,
    in_store: EMPTY_IN_STORE,
    registered_store_id: null,
    merged_into: null,
    deleted: false,
    created_at: '',
    updated_at: '',
    binding: null,
    marketing_consent: null,
  };
}
