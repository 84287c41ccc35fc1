import type { FastifyInstance } from 'fastify';
import type { HubContext } from '../context';
import type { TerminalSocket } from '../realtime/realtime';

// Placeholder until this feature lands (see issue 2).
export function registerPresenceRoutes(_api: FastifyInstance, _ctx: HubContext): void {}
export function claimHandler(_ctx: HubContext, _socket: TerminalSocket): void {}
/** Starts the sweeper that expires unclaimed alerts; returns a stop function. */
export function startAlertExpiry(_ctx: HubContext): () => void {
  return () => undefined;
}
