import { z } from 'zod';
import { isoInstant, uuid } from './common';

/** Who opened which customer profile, when — recorded on the terminal, kept by head office. */
export const auditEntry = z.object({
  id: uuid,
  action: z.enum(['profile_opened']),
  guideId: uuid.nullable(),
  customerId: uuid,
  at: isoInstant,
});
export type AuditEntryWire = z.infer<typeof auditEntry>;

export const MAX_AUDIT_PER_CALL = 500;
export const auditRequest = z.object({
  entries: z.array(auditEntry).min(1).max(MAX_AUDIT_PER_CALL),
});
