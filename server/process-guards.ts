import { isConnectionError } from './db/database';

type Log = {
  error(obj: object, msg: string): void;
  fatal(obj: object, msg: string): void;
};

/** ioredis errors that only say the Redis link is down (its client reconnects by itself). */
const REDIS_LINK_ERRORS = ['MaxRetriesPerRequestError', 'ClusterAllFailedError'];

/** A failure of a dependency's link that heals by itself: no reason to stop serving. */
export function isTransientFault(error: unknown): boolean {
  if (isConnectionError(error)) return true;
  return (
    error instanceof Error &&
    (REDIS_LINK_ERRORS.includes(error.name) || error.message === 'Connection is closed.')
  );
}

/**
 * Last line of defence for errors no code path caught. A transient database or Redis fault must
 * not take the hub (and every store's orders) down with it: it is logged at error and the hub
 * keeps serving. Anything else is a bug whose state we cannot trust: logged as fatal, then the
 * process exits non-zero so its supervisor restarts it — the same outcome as Node's default,
 * but with a log line that says why.
 */
export function installProcessGuards(log: Log, exit: (code: number) => void = process.exit): void {
  process.on('unhandledRejection', lastResort(log, exit, 'unhandled rejection'));
  process.on('uncaughtException', lastResort(log, exit, 'uncaught exception'));
}

/** The handler behind installProcessGuards (exported for its unit test). */
export function lastResort(
  log: Log,
  exit: (code: number) => void,
  kind: string,
): (error: unknown) => void {
  // `err` is the error itself: the log's serializer (http/log-safety.ts) keeps its type, code
  // and stack and scrubs its message. (A copy into a plain object was logged as "non-error value
  // thrown", so a hub that could not listen said nothing about EADDRINUSE.)
  return (err) => {
    if (isTransientFault(err)) {
      log.error({ err, kind }, `${kind} from a transient fault; the hub keeps serving`);
      return;
    }
    log.fatal({ err, kind }, `${kind}; the hub stops`);
    exit(1);
  };
}
