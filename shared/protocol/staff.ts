import { z } from 'zod';
import { nonEmpty, uuid } from './common';

export const guideRole = z.enum(['guide', 'manager']);
export type GuideRole = z.infer<typeof guideRole>;

/** A store's guide as terminals cache it (PIN hash for offline sign-in). */
export const staffMember = z.object({
  id: uuid,
  storeId: uuid,
  name: z.string(),
  role: guideRole,
  pinHash: z.string(),
  active: z.boolean(),
});
export type StaffMember = z.infer<typeof staffMember>;
export const staffResponse = z.object({ items: z.array(staffMember) });

export const pin = z.string().regex(/^\d{4,8}$/, 'PIN must be 4 to 8 digits');
export const newGuide = z.object({
  storeId: uuid,
  name: nonEmpty(64),
  role: guideRole.default('guide'),
  pin,
});
