import type { FastifyBaseLogger } from 'fastify';
import type { Server } from 'socket.io';
import type { Queryable } from '../db/database';
import type { TerminalNamespace, TerminalSocket } from './realtime';

export const terminalRoom = (terminalId: string) => `terminal:${terminalId}`;

const REVOKED = { reason: 'revoked by head office' };
/** A revoked terminal's sockets go this long after it was told: the message flushes first. */
const FLUSH_MS = 100;
/** Node to node (not terminals): tell and drop your sockets of this revoked terminal. */
const REVOKE_HERE = 'terminal:revoke-here';

/**
 * How a node cuts off a revoked or re-issued terminal's connected sockets:
 *
 * - `announce`: through the hub (REST revoke) and the periodic check — the terminal is told
 *   `terminal:revoked`, then its sockets are dropped, on every node (each node its own, through
 *   Redis; a socket is told once whichever announcement reaches its node first). The other nodes
 *   read the terminal's row before they tell: it may have been re-issued since;
 * - `dropAnnounced`: a revocation or re-issue announced by PostgreSQL at commit (hub:admin in
 *   direct mode, the demo seed, the hub itself; server/db/terminal-revocations.ts). Every node
 *   hears it, so each drops its own sockets at once;
 * - the periodic check (every `checkMs`, HUB_REVOCATION_CHECK_MS) of the terminals this node holds
 *   sockets for: finds what was not announced (hand-written SQL) or not heard (this node's LISTEN
 *   connection down).
 *
 * A re-issue un-revokes the terminal with a new token: its sockets on the old token are dropped,
 * untold — the terminal reconnects with its new token if it has it, and is refused (and returns
 * to enrolment) with the old one. Sockets on the current token stay.
 */
export function createSocketRevocation(options: {
  terminals: TerminalNamespace;
  db: Queryable;
  log: Pick<FastifyBaseLogger, 'warn'>;
  checkMs: number;
  /**
   * The other hub nodes (socket.io's `serverSideEmit` and its listeners, with REDIS_URL), or null
   * when there are none.
   */
  peers: Pick<Server, 'serverSideEmit' | 'on'> | null;
  /** Every node's cache of resolved terminals forgets this one (terminal-auth.ts). */
  evictEverywhere: (terminalId: string) => Promise<void>;
}) {
  const { terminals } = options;
  /**
   * The SHA-256 of the token each of this node's sockets authenticated with (never the token;
   * kept off `socket.data`, which fetchSockets would carry to the other nodes).
   */
  const tokenHashes = new WeakMap<TerminalSocket, string>();

  const localSocketsOf = (terminalId: string): TerminalSocket[] => {
    const found: TerminalSocket[] = [];
    for (const id of terminals.adapter.rooms.get(terminalRoom(terminalId)) ?? []) {
      const socket = terminals.sockets.get(id);
      if (socket) found.push(socket);
    }
    return found;
  };

  /**
   * This node's sockets told `terminal:revoked` (their drop pending): each is told once, however
   * many ways the revocation reaches this node — a REST revoke is announced by the node that
   * answered it (`announce`, through Redis) and by PostgreSQL at commit (`dropAnnounced`), and a
   * periodic check can come round again before the drop has run on a loaded node.
   */
  const told = new WeakSet<TerminalSocket>();
  /**
   * Tells this node's sockets of a revoked terminal that `which` picks (those not told yet), then
   * drops the ones it picks once the message has flushed — picked again then: a socket that joined
   * on the revoked token meanwhile goes too, one on a token issued since stays.
   */
  const tellAndDrop = (terminalId: string, which: (socket: TerminalSocket) => boolean) => {
    for (const socket of localSocketsOf(terminalId)) {
      if (!which(socket) || told.has(socket)) continue;
      told.add(socket);
      socket.emit('terminal:revoked', REVOKED);
    }
    setTimeout(() => {
      for (const socket of localSocketsOf(terminalId)) if (which(socket)) socket.disconnect(true);
    }, FLUSH_MS).unref();
  };
  /** The terminal's sockets here now, and any on the revoked token (hash) later. */
  const revokedSockets = (terminalId: string, tokenHash: string | undefined) => {
    const present = new Set(localSocketsOf(terminalId));
    return (socket: TerminalSocket) =>
      present.has(socket) || (tokenHash !== undefined && tokenHashes.get(socket) === tokenHash);
  };
  /**
   * The token with this hash was revoked (this node saw the commit): its sockets are told and
   * dropped. A socket of the terminal on another token is not told on this word alone: the
   * terminal may have been re-issued since (a revoke, then a new token, then a reconnect, faster
   * than this announcement) — the terminal's row decides (`dropAnnounced`).
   */
  const revokedHere = (terminalId: string, tokenHash: string) => {
    const onRevokedToken = (socket: TerminalSocket) => tokenHashes.get(socket) === tokenHash;
    tellAndDrop(terminalId, onRevokedToken);
    if (localSocketsOf(terminalId).some((socket) => !onRevokedToken(socket)))
      void dropAnnounced(terminalId);
  };
  /**
   * Tells a revoked terminal, then drops its sockets, on every node. This node's are dropped
   * directly: what goes through Redis does not arrive during an outage, and a revoked terminal
   * would have stayed connected (and kept getting its store's alerts). The other nodes read the
   * terminal's row first (`dropAnnounced`): the word may reach them after a re-issue, and a
   * terminal on its new token must not be told it is revoked (it would return to enrolment).
   */
  const announce = (terminalId: string, tokenHash: string) => {
    revokedHere(terminalId, tokenHash);
    options.peers?.serverSideEmit(REVOKE_HERE, terminalId);
  };
  options.peers?.on(REVOKE_HERE, (terminalId: unknown) => {
    if (typeof terminalId === 'string') void dropAnnounced(terminalId);
  });

  /** Drops this node's sockets of a terminal that use another token than `tokenHash`; how many. */
  const dropStaleTokens = (terminalId: string, tokenHash: string): number => {
    let dropped = 0;
    for (const socket of localSocketsOf(terminalId)) {
      if (tokenHashes.get(socket) === tokenHash) continue;
      socket.disconnect(true);
      dropped += 1;
    }
    return dropped;
  };

  /**
   * Announced by PostgreSQL: revoked (or gone) — told and dropped here; re-issued — the sockets
   * on an older token dropped; the row not read — all its sockets here dropped (they authenticate
   * again). Nothing is read when this node holds no socket of the terminal.
   */
  const dropAnnounced = async (terminalId: string): Promise<void> => {
    if (localSocketsOf(terminalId).length === 0) return;
    let rows: { revoked: boolean; token_hash: string }[];
    try {
      rows = await options.db.query<{ revoked: boolean; token_hash: string }>(
        'select revoked_at is not null as revoked, token_hash from terminals where id = $1',
        [terminalId],
      );
    } catch (error) {
      options.log.warn(
        { err: error, terminalId },
        'announced revocation not read: the terminal’s sockets on this node are dropped',
      );
      terminals.local.in(terminalRoom(terminalId)).disconnectSockets(true);
      return;
    }
    const row = rows[0];
    if (!row || row.revoked) tellAndDrop(terminalId, revokedSockets(terminalId, row?.token_hash));
    else dropStaleTokens(terminalId, row.token_hash);
  };

  // The fallback for what was not announced, or not heard. The same statement stamps the
  // terminals as seen, so a connected terminal's "last seen" is at most one check old. (REST and
  // new handshakes: an announced revocation reaches every node's cache at commit; other SQL once
  // the cached principal expires, at most one check interval, or when one node's check finds it.)
  const check = setInterval(() => {
    const connected = [
      ...new Set([...terminals.sockets.values()].map((s) => s.data.terminal.terminalId)),
    ];
    if (connected.length === 0) return;
    options.db
      .query<{ id: string; revoked: boolean; token_hash: string }>(
        `update terminals set last_seen_at = now() where id = any($1::uuid[])
         returning id, revoked_at is not null as revoked, token_hash`,
        [connected],
      )
      .then((rows) => {
        for (const { id, revoked, token_hash } of rows) {
          if (revoked) {
            void options.evictEverywhere(id);
            announce(id, token_hash);
          } else if (dropStaleTokens(id, token_hash) > 0) {
            // Re-issued unannounced: no node keeps the old token in its cache either.
            void options.evictEverywhere(id);
          }
        }
      })
      .catch((error: unknown) => options.log.warn({ err: error }, 'revocation check failed'));
  }, options.checkMs);
  check.unref();

  return {
    /** In the handshake, once its token resolved: the hash (`hashSecret`) of that token. */
    authenticated(socket: TerminalSocket, tokenHash: string): void {
      tokenHashes.set(socket, tokenHash);
    },
    announce,
    dropAnnounced,
    close(): void {
      clearInterval(check);
    },
  };
}
