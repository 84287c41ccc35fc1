import { z } from 'zod';
import { cursor, uuid } from './common';
import type { alertUpdate, liveArrivalAlert } from './presence';
import { claimedBy } from './presence';

/** socket.io namespace terminals connect to, with handshake `auth: {token}`. */
export const TERMINAL_NAMESPACE = '/terminal';
/**
 * The largest socket.io message a terminal may send; the hub closes the connection of a bigger
 * one before parsing it (socket.io `maxHttpBufferSize`).
 */
export const MAX_SOCKET_MESSAGE_BYTES = 16_384;

/** Event names: an allow-list, never free strings. */
export const SocketEvents = {
  alertNew: 'alert:new',
  alertUpdated: 'alert:updated',
  customersChanged: 'customers:changed',
  catalogChanged: 'catalog:changed',
  followUpsChanged: 'followups:changed',
  staffChanged: 'staff:changed',
  terminalRevoked: 'terminal:revoked',
  syncResync: 'sync:resync',
  alertClaim: 'alert:claim',
} as const;

export const changedPayload = z.object({ cursor });
/**
 * `sync:resync`: live events may have been missed (the hub nodes' Redis link was down, or a node
 * died silently), so the terminal runs its reconnect catch-up — alerts since, then every feed —
 * even though its own socket never dropped. It waits a random delay under `spreadMs` first so a
 * whole chain does not ask at the same instant. The terminal resyncs on any payload; the fields
 * only tune it.
 *
 * `alerts: false` (issue #17, after `peer_lost`): the hub has already re-sent, as `alert:new`
 * just before this message, every alert of the store that the lost node may not have published,
 * so only the feeds need pulling. Optional: a hub that never sends it, or a terminal that does
 * not know it, falls back to the full catch-up (harmless, only dearer).
 */
export const resyncPayload = z.object({
  reason: z.string().max(64),
  spreadMs: z.number().int().min(0).max(60_000),
  alerts: z.boolean().optional(),
});
export type ResyncPayload = z.infer<typeof resyncPayload>;

export const claimRequest = z.object({ alertId: uuid, guideId: uuid });
export type ClaimRequest = z.infer<typeof claimRequest>;

export const claimAck = z.union([
  z.object({ ok: z.literal(true) }),
  z.object({
    ok: z.literal(false),
    error: z.object({
      code: z.enum([
        'already_claimed',
        'not_found',
        'invalid_input',
        'forbidden',
        'expired',
        'internal',
      ]),
      message: z.string().optional(),
      claimedBy: claimedBy.optional(),
    }),
  }),
]);
export type ClaimAck = z.infer<typeof claimAck>;

/** Typed socket.io maps, used by the hub's Server and the terminal's client alike. */
export type HubToTerminalEvents = {
  'alert:new': (alert: z.infer<typeof liveArrivalAlert>) => void;
  'alert:updated': (update: z.infer<typeof alertUpdate>) => void;
  'customers:changed': (payload: z.infer<typeof changedPayload>) => void;
  'catalog:changed': (payload: z.infer<typeof changedPayload>) => void;
  /** this store's follow-up tasks changed (#15): pull `GET /sync/follow-ups` */
  'followups:changed': (payload: z.infer<typeof changedPayload>) => void;
  'staff:changed': (payload: Record<string, never>) => void;
  'terminal:revoked': (payload: { reason: string }) => void;
  'sync:resync': (payload: ResyncPayload) => void;
};
export type TerminalToHubEvents = {
  'alert:claim': (request: unknown, ack: (result: ClaimAck) => void) => void;
};
