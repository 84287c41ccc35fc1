import type { FastifyBaseLogger } from 'fastify';
import type { Server } from 'socket.io';
import type { TerminalPrincipal } from '../auth/guards';
import { createTerminalPrincipalCache } from '../auth/terminal-cache';
import type { Queryable } from '../db/database';
import type { RedisLink } from './redis-link';

/** A revocation through the hub waits at most this long for the other nodes to forget the token. */
export const REVOCATION_ACK_WAIT_MS = 2_000;
/** Node to node (not terminals): forget this terminal's cached principal, and acknowledge. */
const EVICT_TERMINAL = 'terminal:evict';

/**
 * A node's terminal authentication: its cache of resolved terminals (auth/terminal-cache.ts), and
 * how a revocation reaches every node's cache.
 *
 * - Through the hub (REST revoke, the periodic revocation check): `evictEverywhere` forgets it
 *   here at once, and on the other nodes through Redis (`serverSideEmit` with an acknowledgement).
 *   It resolves when they all answered; after REVOCATION_ACK_WAIT_MS, or at once while the link is
 *   down, the terminal is kept and told again when the link is restored (each node also clears
 *   its whole cache when its link comes back: what others told meanwhile did not arrive).
 * - On PostgreSQL, every revocation or re-issue written through server/admin/service.ts — also by
 *   hub:admin in direct mode — is announced by the database at commit, and every node listens
 *   (`revocationListener`, server/db/terminal-revocations.ts; its connection's loss clears the
 *   cache when it is back). `onAnnounced` then runs for the terminal, after its eviction here
 *   (realtime.ts drops the terminal's sockets on this node with it).
 * - Anything else written straight to the database (hand-written SQL) reaches REST and new
 *   handshakes when the cached entry expires: `ttlMs`, at most the revocation check interval.
 */
export function createTerminalAuth(options: {
  io: Server;
  redis: RedisLink | null;
  db: Queryable;
  log: Pick<FastifyBaseLogger, 'warn'>;
  ttlMs: number;
  revocationListener?:
    | ((handlers: { onRevoked(terminalId: string): void; onGap(): void }) => {
        close(): Promise<void>;
      })
    | undefined;
  /** After a terminal announced by `revocationListener` was forgotten here. */
  onAnnounced?: (terminalId: string) => void;
}) {
  const { io, redis } = options;
  const principals = createTerminalPrincipalCache({ ttlMs: options.ttlMs });
  const unacknowledged = new Set<string>();

  const evictEverywhere = async (terminalId: string): Promise<void> => {
    principals.evict(terminalId);
    if (!redis) return;
    if (redis.state() !== 'up') {
      unacknowledged.add(terminalId);
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const acknowledged = await new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), REVOCATION_ACK_WAIT_MS);
      io.serverSideEmit(EVICT_TERMINAL, terminalId, (error: Error | null) => resolve(!error));
    });
    clearTimeout(timer);
    if (!acknowledged) {
      unacknowledged.add(terminalId);
      options.log.warn(
        { terminalId, waitedMs: REVOCATION_ACK_WAIT_MS },
        'revocation not acknowledged by every hub node: told again when Redis is back; until then they refuse the token when its cached entry expires',
      );
    }
  };

  if (redis) {
    io.on(EVICT_TERMINAL, (terminalId: unknown, ack: unknown) => {
      if (typeof terminalId === 'string') principals.evict(terminalId);
      if (typeof ack === 'function') (ack as (answer: string) => void)('ok');
    });
    redis.onRestored(() => {
      principals.clear();
      const again = [...unacknowledged];
      unacknowledged.clear();
      for (const terminalId of again) void evictEverywhere(terminalId);
    });
  }
  const feed = options.revocationListener?.({
    onRevoked: (terminalId) => {
      principals.evict(terminalId);
      options.onAnnounced?.(terminalId);
    },
    onGap: () => principals.clear(),
  });

  return {
    resolve: (token: string): Promise<TerminalPrincipal | null> =>
      principals.resolve(options.db, token),
    /** By the token's hash: the handshake keeps it for the socket (socket-revocation.ts). */
    resolveHash: (tokenHash: string): Promise<TerminalPrincipal | null> =>
      principals.resolveHash(options.db, tokenHash),
    evictEverywhere,
    close: async () => {
      await feed?.close();
    },
  };
}
