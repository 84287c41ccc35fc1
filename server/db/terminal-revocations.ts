import type pg from 'pg';
import type { FastifyBaseLogger } from 'fastify';
import type { Queryable } from './database';
import { loadPg } from './postgres';

/**
 * PostgreSQL channel on which a revocation or re-issue of a terminal's token is announced, at
 * commit, by whoever writes it through server/admin/service.ts — the hub, or `hub:admin` in direct
 * mode, which reaches no hub node otherwise. Channels belong to one database: one deployment.
 */
export const TERMINAL_REVOKED_CHANNEL = 'shopguide_terminal_revoked';

/** Inside the revoking transaction: delivered to listeners when (and only if) it commits. */
export async function notifyTerminalRevoked(tx: Queryable, terminalId: string): Promise<void> {
  await tx.query('select pg_notify($1, $2)', [TERMINAL_REVOKED_CHANNEL, terminalId]);
}

/** The listening connection's `application_name`. */
export const LISTENER_APPLICATION_NAME = 'shopguide-revocations';
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

/**
 * A node's own connection LISTENing on TERMINAL_REVOKED_CHANNEL (PostgreSQL only; on PGlite the
 * hub is the only writer). `onRevoked` runs for each announced terminal; `onGap` runs each time
 * the connection is (re)established, since announcements made while it was down are lost. Never
 * holds up the start: a connection that fails is retried in the background (500 ms doubling to
 * 10 s), one warning per outage.
 */
export function listenForTerminalRevocations(options: {
  url: string;
  connectTimeoutMs: number;
  log: Pick<FastifyBaseLogger, 'warn' | 'info'>;
  onRevoked: (terminalId: string) => void;
  onGap: () => void;
}): { close(): Promise<void> } {
  let client: pg.Client | null = null;
  let closed = false;
  let retryMs = RETRY_MIN_MS;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let down = false;

  const lost = (error: unknown) => {
    if (closed) return;
    if (!down)
      options.log.warn(
        { err: { message: error instanceof Error ? error.message : String(error) } },
        'revocation listener lost; cached terminals expire within their TTL meanwhile',
      );
    down = true;
    const dead = client;
    client = null;
    dead?.removeAllListeners();
    dead?.on('error', () => undefined);
    void dead?.end().catch(() => undefined);
    clearTimeout(retry);
    retry = setTimeout(() => void connect(), retryMs);
    retry.unref();
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  };

  const connect = async () => {
    // loaded before the first connection (a hub on PGlite never loads `pg`, see postgres.ts)
    const { Client } = await loadPg();
    if (closed) return;
    const next = new Client({
      connectionString: options.url,
      connectionTimeoutMillis: options.connectTimeoutMs,
      keepAlive: true,
      // Told apart from the pool's connections in pg_stat_activity.
      application_name: LISTENER_APPLICATION_NAME,
    });
    client = next;
    next.on('error', lost);
    next.on('end', () => lost(new Error('connection ended')));
    next.on('notification', (message) => {
      if (message.channel === TERMINAL_REVOKED_CHANNEL && message.payload)
        options.onRevoked(message.payload);
    });
    next
      .connect()
      .then(() => next.query(`listen ${TERMINAL_REVOKED_CHANNEL}`))
      .then(() => {
        if (closed || client !== next) return;
        retryMs = RETRY_MIN_MS;
        if (down) options.log.info('revocation listener restored');
        down = false;
        options.onGap();
      })
      .catch((error: unknown) => {
        if (client === next) lost(error);
      });
  };

  void connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      const last = client;
      client = null;
      if (!last) return;
      last.removeAllListeners();
      last.on('error', () => undefined);
      await last.end().catch(() => undefined);
    },
  };
}
