import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  bearerToken,
  integrationKeyMatches,
  adminKeyMatches,
  type TerminalPrincipal,
} from '../auth/guards';
import type { HubContext } from '../context';
import { errorBody, unauthorized } from './errors';
import type { PrincipalKind, Throttle } from './throttle';

/**
 * Who may call a route. Every route under /api/v1 declares it in its config, and the credential
 * is checked in `onRequest`, before Fastify reads the body: a caller without a valid credential
 * never makes the hub read, let alone parse, a 1 MiB body.
 */
export type Access = PrincipalKind | 'public';

declare module 'fastify' {
  // Module augmentation needs interfaces.
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    /** The verified terminal, set by the access hook on `access: 'terminal'` routes. */
    principal: TerminalPrincipal | null;
  }
}

/** Batches (orders, audit, CRM and catalog imports, online events) may send up to 1 MiB. */
export const BATCH_BODY_LIMIT = 1_048_576;
/** Everything else is one small record: 64 KiB is generous. */
export const SMALL_BODY_LIMIT = 65_536;

/** The terminal behind a request on an `access: 'terminal'` route. */
export function terminalOf(request: FastifyRequest): TerminalPrincipal {
  if (!request.principal) throw unauthorized('missing bearer token');
  return request.principal;
}

function rateLimited(reply: FastifyReply, retryAfterS: number, message: string) {
  return reply
    .status(429)
    .header('retry-after', String(retryAfterS))
    .send(errorBody('rate_limited', message, { retryAfterSeconds: retryAfterS }));
}

type Presented = { kind: PrincipalKind; secret: string | null };

function presented(request: FastifyRequest, kind: PrincipalKind): Presented {
  if (kind === 'terminal') return { kind, secret: bearerToken(request) };
  const header = request.headers[kind === 'admin' ? 'x-admin-key' : 'x-integration-key'];
  return { kind, secret: typeof header === 'string' && header.length > 0 ? header : null };
}

const MISSING: Record<PrincipalKind, string> = {
  terminal: 'missing or revoked bearer token',
  integration: 'missing or invalid X-Integration-Key',
  admin: 'missing or invalid X-Admin-Key',
};

/**
 * Installs the access check on an API scope: refuses routes registered without `access`, checks
 * credentials in `onRequest` (throttling failed attempts per address and per credential), then
 * counts the principal's traffic. Call before the scope's routes are registered.
 */
export function installAccess(api: FastifyInstance, ctx: HubContext, throttle: Throttle): void {
  api.decorateRequest('principal', null);
  api.addHook('onRoute', (route) => {
    if (!route.config?.access)
      throw new Error(`route ${route.method} ${route.url} declares no access (config.access)`);
  });
  api.addHook('onRequest', async (request, reply) => {
    const access = request.routeOptions.config?.access;
    if (!access || access === 'public') return;
    const { kind, secret } = presented(request, access);
    // The credential is counted with its kind, so a terminal token and a key never share a counter.
    const credential = secret === null ? null : `${kind}:${secret}`;
    const wait = await throttle.authBlockedFor(request.ip, credential);
    if (wait !== null)
      return rateLimited(reply, wait, 'too many failed attempts; wait before trying again');

    let id: string | null = null;
    if (secret !== null) {
      if (kind === 'terminal') {
        // This node's cache of resolved terminals, shared with the socket handshake (realtime.ts).
        const terminal = await ctx.realtime.terminalForToken(secret);
        request.principal = terminal;
        id = terminal?.terminalId ?? null;
      } else {
        const matches = kind === 'admin' ? adminKeyMatches : integrationKeyMatches;
        const envKey = kind === 'admin' ? ctx.config.adminKey : ctx.config.integrationKey;
        id = (await matches(ctx.db, secret, envKey)) ? kind : null;
      }
    }
    if (id === null || credential === null) {
      await throttle.authFailed(request.ip, credential);
      throw unauthorized(MISSING[kind]);
    }
    throttle.authSucceeded(credential);
    const overUse = await throttle.overUse(kind, id);
    if (overUse !== null)
      return rateLimited(reply, overUse, `over the ${kind} request limit; slow down`);
  });
}
