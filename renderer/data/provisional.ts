import type { CachedCustomer } from './customer-rows';
import { openRow, sealRow, type Envelope, type Sealer } from './sealed';

/**
 * What a customer registered on this terminal (and not yet confirmed by the hub) keeps readable
 * in `provisionalCustomers`: its id, the fields Dexie indexes there (member code, phone last 4 and
 * 11-bit phone tag, name, pinyin initials) and what a search result shows (tier). Sizes,
 * notes, birthday, gender, consent… are sealed with the row's id (sealed.ts). A field the phone
 * lookups start to need is added here.
 */
export const PROVISIONAL_CLEAR = [
  'memberCode',
  'phoneLast4',
  'phoneTag',
  'name',
  'initials',
  'tier',
  'provisional',
] as const satisfies readonly (keyof CachedCustomer)[];

type ProvisionalClear = (typeof PROVISIONAL_CLEAR)[number] | 'id';
/** A provisional row as stored (a row from before v10 is the whole profile, unsealed). */
export type ProvisionalRow = Pick<CachedCustomer, ProvisionalClear> & { sealed?: Envelope };

export const sealProvisional = (sealer: Sealer, row: CachedCustomer): Promise<ProvisionalRow> =>
  sealRow(sealer, 'provisionalCustomers', 'id', PROVISIONAL_CLEAR, row);

export const openProvisional = (sealer: Sealer, row: ProvisionalRow): Promise<CachedCustomer> =>
  openRow<CachedCustomer>(sealer, 'provisionalCustomers', 'id', row);
