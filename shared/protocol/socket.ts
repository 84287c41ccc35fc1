import { z } from 'zod';
import { cursor, uuid } from './common';
import type { alertUpdate, arrivalAlert } from './presence';
import { claimedBy } from './presence';

/** socket.io namespace terminals connect to, with handshake `auth: {token}`. */
export const TERMINAL_NAMESPACE = '/terminal';

/** Event names: an allow-list, never free strings. */
export const SocketEvents = {
  alertNew: 'alert:new',
  alertUpdated: 'alert:updated',
  customersChanged: 'customers:changed',
  catalogChanged: 'catalog:changed',
  staffChanged: 'staff:changed',
  terminalRevoked: 'terminal:revoked',
  alertClaim: 'alert:claim',
} as const;

export const changedPayload = z.object({ cursor });
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
  'alert:new': (alert: z.infer<typeof arrivalAlert>) => void;
  'alert:updated': (update: z.infer<typeof alertUpdate>) => void;
  'customers:changed': (payload: z.infer<typeof changedPayload>) => void;
  'catalog:changed': (payload: z.infer<typeof changedPayload>) => void;
  'staff:changed': (payload: Record<string, never>) => void;
  'terminal:revoked': (payload: { reason: string }) => void;
};
export type TerminalToHubEvents = {
  'alert:claim': (request: unknown, ack: (result: ClaimAck) => void) => void;
};
