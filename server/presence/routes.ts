import type { FastifyInstance } from 'fastify';
import {
  claimRequest,
  endpoints,
  SocketEvents,
  type AlertsResponse,
  type ClaimAck,
  type PresenceEvent,
  type PresenceItemResult,
  type PresenceResponse,
} from '../../shared/protocol';
import { startPeriodicSweep } from '../periodic-sweep';
import type { HubContext } from '../context';
import { isConnectionError } from '../db/database';
import { terminalOf } from '../http/access';
import { knownError, unavailable } from '../http/errors';
import { onEndpoint } from '../http/endpoint';
import type { TerminalSocket } from '../realtime/realtime';
import { settleAfterWrite } from '../customers/scope-runner';
import { claimAlert, createAlertCatchUp, expireAlerts } from './alerts';
import { recordFootfall, recordPresence } from './presence';

/** Default catch-up window: a shift's worth, so a terminal back from an outage misses no one. */
const CATCH_UP_HOURS = 12;

/**
 * Presence sources and door counters (`X-Integration-Key`), and the terminal catch-up list.
 * A new arrival is broadcast as `alert:new` to that store's room only.
 */
export function registerPresenceRoutes(api: FastifyInstance, ctx: HubContext): void {
  const { db } = ctx;
  const catchUp = createAlertCatchUp(db);

  /** Records one sighting and tells the store's terminals; what `POST /presence` answers. */
  const sighted = async (event: PresenceEvent): Promise<PresenceResponse> => {
    // Store-scoped terminals cache her from the alert itself (issue #17): see `settleAfterWrite`.
    const withProfile = ctx.config.customerFeedScope === 'store';
    const result = await recordPresence(ctx, event, { withProfile });
    if (result.alert) {
      const { alert, profile } = result;
      ctx.realtime.toStore(alert.storeId, 'alert:new', profile ? { ...alert, profile } : alert);
    }
    if (result.seen) ctx.realtime.toStore(result.seen.storeId, 'alert:updated', result.seen);
    // A member first seen at this store enters its scope (issue #17), after the card went out. Not
    // awaited: the alert already carried her profile, the entry is numbered ≤ one coalesced settle
    // later, and a door system's answer must not wait for other stores' numbering (awaiting it
    // capped a 64-connection sender below 200 arrivals/s on PGlite: alert p50 5.9 s with the
    // store feed). An entry made only by her arrival tells no terminal to pull
    // (scope-runner.ts): the alert brought the profile the pull would.
    if (result.alert) void settleAfterWrite(ctx);
    return { visitId: result.visitId, alertId: result.alertId };
  };

  onEndpoint(api, endpoints.presence, async ({ reply, body: event }) =>
    reply.status(202).send(await sighted(event)),
  );

  // A gateway's batch: the sightings run together (their lookups and writes share statements,
  // server/presence/sightings.ts), each answered as `POST /presence` would, in order. One that
  // fails does not fail the others; a database outage that failed every one is a 503, as above.
  onEndpoint(api, endpoints.presenceBatch, async ({ request, reply, body: { events } }) => {
    const settled = await Promise.allSettled(events.map(sighted));
    const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason] : []));
    if (failures.length === settled.length && failures.some(isConnectionError)) throw unavailable();
    const results = settled.map((s): PresenceItemResult => {
      if (s.status === 'fulfilled') return s.value;
      const known = knownError(s.reason);
      if (known)
        return { error: { status: known.status, code: known.code, message: known.message } };
      request.log.error({ err: s.reason }, 'a sighting of a batch failed');
      return { error: { status: 500, code: 'internal', message: 'internal error' } };
    });
    return reply.status(202).send({ results });
  });

  onEndpoint(api, endpoints.footfall, async ({ reply, body: event }) => {
    await recordFootfall(db, event);
    return reply.status(202).send({ ok: true });
  });

  onEndpoint(api, endpoints.alerts, async ({ request, query }): Promise<AlertsResponse> => {
    const terminal = terminalOf(request);
    const since = query.since ?? new Date(Date.now() - CATCH_UP_HOURS * 3_600_000).toISOString();
    return { items: await catchUp.list(terminal.storeId, since) };
  });
}

/** `alert:claim {alertId, guideId}` from a terminal socket; answers with a result envelope. */
export function claimHandler(ctx: HubContext, socket: TerminalSocket): void {
  socket.on(SocketEvents.alertClaim, (request, ack) => {
    // A client that sends no ack callback gets nothing back, but the claim still counts.
    const reply = (result: ClaimAck) => {
      if (typeof ack === 'function') ack(result);
    };
    const parsed = claimRequest.safeParse(request);
    if (!parsed.success) {
      reply({ ok: false, error: { code: 'invalid_input', message: parsed.error.message } });
      return;
    }
    const { storeId } = socket.data.terminal;
    claimAlert(ctx, storeId, parsed.data.alertId, parsed.data.guideId)
      .then(({ ack: result, update }) => {
        if (update) ctx.realtime.toStore(update.storeId, 'alert:updated', update);
        reply(result);
      })
      .catch((error: unknown) => {
        // A database outage is no bug; the ack keeps code 'internal' so terminals already in
        // stores (whose schema has no 'unavailable' here) still read it.
        if (isConnectionError(error)) {
          ctx.log.warn({ alertId: parsed.data.alertId }, 'claim failed: database unavailable');
          reply({
            ok: false,
            error: { code: 'internal', message: 'the hub cannot reach its database, try again' },
          });
          return;
        }
        ctx.log.error({ err: error, alertId: parsed.data.alertId }, 'claim failed');
        reply({ ok: false, error: { code: 'internal', message: 'claim failed, try again' } });
      });
  });
}

/** Starts the sweeper that expires unclaimed alerts; returns a stop function. */
export function startAlertExpiry(ctx: HubContext): () => void {
  return startPeriodicSweep({
    what: 'alert expiry sweep',
    everyMs: ctx.config.expirySweepMs,
    log: ctx.log,
    sweep: async () => {
      for (const update of await expireAlerts(ctx.db)) {
        ctx.realtime.toStore(update.storeId, 'alert:updated', update);
      }
    },
  });
}
