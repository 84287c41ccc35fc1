import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { z } from 'zod';
import type { ErrorBody, ErrorCode } from '../../shared/protocol';
import { isConnectionError } from '../db/database';

/** A failure with an HTTP status and a protocol error code; the error handler renders it. */
export class HubError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: unknown) =>
  new HubError(400, 'invalid_input', message, details);
export const unauthorized = (message = 'missing or invalid credentials') =>
  new HubError(401, 'unauthorized', message);
export const forbidden = (message = 'not allowed for this terminal') =>
  new HubError(403, 'forbidden', message);
export const notFound = (message: string) => new HubError(404, 'not_found', message);

/** Seconds a client is asked to wait after a 503 (terminals keep their outbox and retry). */
export const RETRY_AFTER_S = 5;
export const unavailable = (message = 'the database is unavailable; try again shortly') =>
  new HubError(503, 'unavailable', message);

export function errorBody(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** Validates external input with a shared schema; 400 with the zod issues when it does not fit. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what = 'request body',
): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw badRequest(
      `invalid ${what}`,
      result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  return result.data;
}

export function sendError(reply: FastifyReply, error: HubError): FastifyReply {
  if (error.status === 503) reply.header('retry-after', String(RETRY_AFTER_S));
  return reply.status(error.status).send(errorBody(error.code, error.message, error.details));
}

/**
 * What a failure answers when it is a known one: our own `HubError`, or a database outage (503, so
 * clients retry and keep their data); null for anything else (a bug: 500).
 */
export function knownError(error: unknown): HubError | null {
  if (error instanceof HubError) return error;
  return isConnectionError(error) ? unavailable() : null;
}

/** JSON errors for everything: our own, Fastify's (413, bad JSON), unknown routes, and crashes. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | HubError, request, reply) => {
    if (error instanceof HubError) return sendError(reply, error);
    // A database outage is not a bug: answer fast with 503 so clients retry (and keep their data).
    if (isConnectionError(error)) {
      request.log.warn({ err: { message: error.message } }, 'database unavailable');
      return sendError(reply, unavailable());
    }
    const status = error.statusCode ?? 500;
    if (status === 413) {
      const limit = Math.round((request.routeOptions.bodyLimit ?? 0) / 1024);
      return reply
        .status(413)
        .send(errorBody('payload_too_large', `request body is over ${limit} KiB`));
    }
    if (status >= 400 && status < 500) {
      return reply.status(status).send(errorBody('invalid_input', error.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send(errorBody('internal', 'internal error'));
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send(errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );
}
