import type { FastifyInstance, FastifyReply } from 'fastify';
import { endpoints, type SignInResponse } from '../../shared/protocol';
import type { HubContext } from '../context';
import { terminalOf } from '../http/access';
import { onEndpoint } from '../http/endpoint';
import { HubError } from '../http/errors';
import { changeGuidePin, retryAfterSeconds, signInAtHub } from './sign-in';

/** A 423 tells the terminal when to try again, like a 429 does. */
function withRetryAfter(reply: FastifyReply, error: unknown, now: Date): never {
  if (error instanceof HubError) {
    const seconds = retryAfterSeconds(error, now);
    if (seconds !== null) void reply.header('retry-after', String(seconds));
  }
  throw error;
}

/**
 * Guide sign-in checked by the hub (issue #13, item 2). Terminals call these while online and fall
 * back to the synced verifier and their own lockout when the hub cannot be reached.
 * - `POST /api/v1/staff/sign-in` `{guideId, pin}` → `{guide, pinChangeRequired}`; 401 `wrong_pin`
 *   (`details.attemptsLeft`), 423 `pin_locked` (`details.lockedUntil`, `Retry-After`), 403
 *   `guide_inactive`, 404 for a guide not of the terminal's store.
 * - `POST /api/v1/staff/pin` `{guideId, currentPin, newPin}` → `{ok: true}`; the same refusals for
 *   the current PIN, 400 for a new PIN against the rules (shared/protocol/staff.ts).
 * Logs carry ids only, never a PIN.
 */
export function registerStaffRoutes(api: FastifyInstance, ctx: HubContext): void {
  onEndpoint(
    api,
    endpoints.signIn,
    async ({ request, reply, body: { guideId, pin } }): Promise<SignInResponse> => {
      const terminal = terminalOf(request);
      const now = new Date();
      const result = await signInAtHub(ctx.db, terminal, guideId, pin, now).catch((error) =>
        withRetryAfter(reply, error, now),
      );
      if (result.verifierChanged) ctx.realtime.toStore(terminal.storeId, 'staff:changed', {});
      return { guide: result.guide, pinChangeRequired: result.pinChangeRequired };
    },
  );
  onEndpoint(
    api,
    endpoints.changePin,
    async ({ request, reply, body: input }): Promise<{ ok: true }> => {
      const terminal = terminalOf(request);
      const now = new Date();
      await changeGuidePin(ctx.db, terminal, input, now).catch((error) =>
        withRetryAfter(reply, error, now),
      );
      ctx.realtime.toStore(terminal.storeId, 'staff:changed', {});
      request.log.info(
        { guideId: input.guideId, storeId: terminal.storeId, terminalId: terminal.terminalId },
        'guide changed their PIN',
      );
      return { ok: true };
    },
  );
}
