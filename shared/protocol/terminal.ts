import { z } from 'zod';
import { text, uuid } from './common';
import { aggregateCount } from './numbers';

export const storeInfo = z.object({
  id: uuid,
  name: z.string(),
  timezone: z.string(),
  lat: z.number(),
  lng: z.number(),
  geofenceRadiusM: z.number(),
});
export type StoreInfo = z.infer<typeof storeInfo>;

/** `GET /api/v1/terminal`: who this terminal is, its store, settings and the phone-hash key. */
export const terminalInfo = z.object({
  terminalId: uuid,
  name: z.string(),
  store: storeInfo,
  /** hex HMAC key for phone hashes; keep it in the platform bridge, never in IndexedDB */
  phoneHashKey: z.string(),
  settings: z.object({
    alertExpiryMinutes: z.number().int().positive(),
    visitWindowMinutes: z.number().int().positive(),
    /** silence after which a card says she may have left (#16 item 6; older hubs: 20) */
    presenceSilenceMinutes: z.number().int().positive().default(20),
    autoLockMinutes: z.number().int().positive(),
    currency: z.literal('CNY'),
    locale: z.string(),
    /**
     * after-sale: a refund above this (fen) needs the store manager's PIN (null: never; absent
     * from hubs before issue #16 — the terminal then asks for it on every return)
     */
    returnApprovalAboveFen: z.number().int().nonnegative().nullable().optional(),
    /**
     * head office's mini-store link pattern for outreach QR codes (#15 item 4), null when none
     * is set; absent in what a terminal cached before it existed
     */
    miniStoreUrlPattern: z.string().nullable().optional(),
  }),
  serverTime: z.iso.datetime({ offset: true }),
});
export type TerminalInfo = z.infer<typeof terminalInfo>;

/**
 * `POST /api/v1/terminal/status`: what a terminal tells IT about itself after each outbox drain
 * (and at least every few minutes while online) — its build and how much it has not delivered.
 */
export const terminalStatusReport = z.object({
  appVersion: text.min(1).max(32),
  /** outbox entries (orders, registrations) still waiting for the hub */
  pendingOutbox: aggregateCount,
  /** outbox entries the hub refused, kept on the PC for a person to look at */
  rejectedOutbox: aggregateCount,
});
export type TerminalStatusReport = z.infer<typeof terminalStatusReport>;
