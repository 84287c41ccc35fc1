import { z } from 'zod';
import { nonEmpty, text, uuid } from './common';
import { guideRole, newPin } from './staff';

export const newStore = z.object({
  id: uuid.optional(),
  name: nonEmpty(64),
  timezone: text.refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'unknown IANA time zone'),
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
  geofenceRadiusM: z.number().positive().max(50_000).default(200),
  /**
   * the sales region head office groups the store under (华东, 华北…; #15 item 6); left out, a
   * store keeps the region it has; null takes it out of every region
   */
  region: nonEmpty(32).nullable().optional(),
});
export type NewStore = z.infer<typeof newStore>;

export const newGuideRequest = z.object({
  id: uuid.optional(),
  storeId: uuid,
  name: nonEmpty(64),
  role: guideRole.default('guide'),
  pin: newPin,
});
export type NewGuideRequest = z.infer<typeof newGuideRequest>;

export const newTerminalRequest = z.object({
  id: uuid.optional(),
  storeId: uuid,
  name: nonEmpty(64),
});
/** The token is returned exactly once, at creation. */
export const newTerminalResponse = z.object({
  id: uuid,
  storeId: uuid,
  name: z.string(),
  token: z.string(),
});
export const rotatedKeyResponse = z.object({ integrationKey: z.string() });

/** A guide as the admin API lists it (never the PIN verifier). */
export const adminGuide = z.object({
  id: uuid,
  store_id: uuid,
  name: z.string(),
  role: guideRole,
  active: z.boolean(),
});
export type AdminGuide = z.infer<typeof adminGuide>;
export const adminGuideState = z.object({ id: uuid, storeId: uuid, active: z.boolean() });
export const resetPinRequest = z.object({ pin: newPin });
/** `?store=<id>` narrows a listing to one store. */
export const adminStoreQuery = z.object({ store: uuid.optional() });

/** A store as the admin API lists it (the table's columns). */
export const adminStore = z.object({
  id: uuid,
  name: z.string(),
  timezone: z.string(),
  lat: z.coerce.number(),
  lng: z.coerce.number(),
  geofence_radius_m: z.coerce.number(),
  /** head office's sales region (#15 item 6; absent from hubs before migration 018) */
  region: z.string().nullable().optional(),
});
export type AdminStore = z.infer<typeof adminStore>;
/** A terminal as the admin API lists it: last seen, its build, its undelivered outbox. */
export const adminTerminal = z.object({
  id: uuid,
  store_id: uuid,
  name: z.string(),
  revoked_at: z.string().nullable(),
  last_seen_at: z.string().nullable(),
  /** what the terminal last reported (`POST /terminal/status`); null until it has */
  app_version: z.string().nullable(),
  pending_outbox: z.coerce.number().nullable(),
  rejected_outbox: z.coerce.number().nullable(),
  status_at: z.string().nullable(),
});
export type AdminTerminal = z.infer<typeof adminTerminal>;
