import type { StaffMember } from '../../shared/protocol';
import { openRow, sealRow, type Envelope, type Sealer } from './sealed';

/**
 * A guide as stored since v10: who they are (name, role, active: the sign-in tiles and the
 * deactivation check read these) in clear, the PIN verifier sealed with the guide's id, so a copy
 * of the disk gives nothing to brute-force offline without the data key (issue #13 item 2). A row
 * from before v10 keeps its verifier in clear until the next staff sync replaces the table.
 */
export const STAFF_CLEAR = ['storeId', 'name', 'role', 'active'] as const;
/** A guide as the sign-in screens see one: everything but the verifier. */
export type Guide = Omit<StaffMember, 'pinHash'>;
export type StaffRow = Omit<StaffMember, 'pinHash'> & { pinHash?: string; sealed?: Envelope };

export const sealStaff = (sealer: Sealer, guide: StaffMember): Promise<StaffRow> =>
  sealRow(sealer, 'staff', 'id', STAFF_CLEAR, guide);

export const openStaff = (sealer: Sealer, row: StaffRow): Promise<StaffMember> =>
  openRow<StaffMember>(sealer, 'staff', 'id', row);
