import { randomUUID } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { Server, type Namespace, type Socket } from 'socket.io';
import {
  SocketEvents,
  MAX_SOCKET_MESSAGE_BYTES,
  TERMINAL_NAMESPACE,
  type AlertUpdate,
  type ArrivalAlert,
  type HubToTerminalEvents,
  type TerminalToHubEvents,
} from '../../shared/protocol';
import type { TerminalPrincipal } from '../auth/guards';
import { hashSecret } from '../auth/secrets';
import type { Db } from '../db/database';
import { createHintDelivery } from './hint-delivery';
import { createLastSeenStamps } from './last-seen';
import { createTerminalAuth } from './terminal-auth';
import { createPeerLostResync } from './peer-lost-resync';
import { peerBlindWindowMs, watchPeers } from './peer-watch';
import { openRedisLink, type RedisLink } from './redis-link';
import { createSocketRevocation, terminalRoom } from './socket-revocation';
import type { Throttle } from '../http/throttle';
import { storeRoom } from './rooms';
import { countingPeerDeliveries, createToldHere, type ToldHere } from './told-here';

export type TerminalSocket = Socket<
  TerminalToHubEvents,
  HubToTerminalEvents,
  Record<string, never>,
  { terminal: TerminalPrincipal }
>;
export type TerminalNamespace = Namespace<
  TerminalToHubEvents,
  HubToTerminalEvents,
  Record<string, never>,
  { terminal: TerminalPrincipal }
>;
export type SocketHandler = (socket: TerminalSocket) => void;

/** A start waits this long for Redis (a refused connection ends the wait at once). */
const REDIS_START_WAIT_MS = 5_000;
/** Terminals spread their catch-up after a resync over this window (a chain has many). */
const RESYNC_SPREAD_MS = 2_000;
/** How long a node remembers what it told its sockets of an alert (told-here.ts). */
const TOLD_HERE_MS = Math.max(60_000, 2 * peerBlindWindowMs());
/** Chain-wide change hints go out at most this often per event from a node (change-hints.ts). */
const CHAIN_HINT_SPACING_MS = 500;

/**
 * What one hub node tells the others (socket.io's `serverSideEmit` over the Redis adapter), not
 * terminals: `stores:changed`, a store was created or moved there — reload the stores held in
 * memory (server/presence/store-geofences.ts).
 */
export type PeerEvent = 'stores:changed';

export { storeRoom, terminalRoom };

/**
 * The hub's live channel to terminals. A socket authenticates with its terminal token in the
 * handshake and joins only its own store's room; with REDIS_URL every node sees every emit.
 */
export type Realtime = {
  readonly io: Server;
  readonly terminals: TerminalNamespace;
  toStore<E extends keyof HubToTerminalEvents>(
    storeId: string,
    event: E,
    ...args: Parameters<HubToTerminalEvents[E]>
  ): void;
  /**
   * The same message to the terminals of several stores: one emit, so one Redis message with
   * REDIS_URL rather than one per store (nothing for an empty list).
   */
  toStores<E extends keyof HubToTerminalEvents>(
    storeIds: readonly string[],
    event: E,
    ...args: Parameters<HubToTerminalEvents[E]>
  ): void;
  toAll<E extends keyof HubToTerminalEvents>(
    event: E,
    ...args: Parameters<HubToTerminalEvents[E]>
  ): void;
  /**
   * Tells every other hub node, through Redis. Without REDIS_URL there is no other node; while
   * Redis is away the message is lost — `onPeer` listeners also run when the link returns.
   */
  toPeers(event: PeerEvent): void;
  /**
   * `listener` runs when another node tells this one `event`, and each time the Redis link comes
   * back after an outage (whatever the others told meanwhile did not arrive).
   */
  onPeer(event: PeerEvent, listener: () => void): void;
  /**
   * The terminal behind a token, or null (unknown or revoked): the socket handshake and REST
   * (`access: 'terminal'`) share this node's cache of resolved terminals (auth/terminal-cache.ts).
   */
  terminalForToken(token: string): Promise<TerminalPrincipal | null>;
  /**
   * Call after the revocation is committed: every node forgets the terminal's cached principal
   * (terminal-auth.ts: resolves once the others acknowledged, after 2 s at most, at once while
   * Redis is down), then the terminal is told and its sockets dropped on every node
   * (socket-revocation.ts). `tokenHash`: the hash of the token the revocation cut off (a socket on
   * a newer token, after a re-issue, stays).
   */
  revokeTerminal(terminalId: string, tokenHash: string): Promise<void>;
  /**
   * Readiness of the Redis link: 'off' without REDIS_URL, else 'up' when both connections are
   * ready and subscribed (cross-node delivery works), 'down' during an outage.
   */
  redisState(): 'off' | 'up' | 'down';
  close(): Promise<void>;
};

export async function createRealtime(options: {
  httpServer: HttpServer;
  db: Db;
  log: FastifyBaseLogger;
  redisUrl: string | undefined;
  /** HUB_REDIS_PREFIX: the adapter's channels are `<prefix>:io#…` (see below) */
  redisPrefix: string;
  corsOrigins: readonly string[];
  handlers: readonly SocketHandler[];
  /** how often connected terminals are re-checked for revocation */
  revocationCheckMs?: number;
  /**
   * Store-scoped customer feeds: the stores a `customers:changed` hint up to a cursor concerns
   * (server/customers/hint-stores.ts). Without it the hint goes to every terminal. Either way each
   * node tells its own sockets, of its peers' changes too (hint-delivery.ts).
   */
  customerHintStores?: (upTo: string) => Promise<string[]>;
  /** failed handshakes count like failed REST authentication (per address and per token) */
  handshakeThrottle?: Pick<Throttle, 'authBlockedFor' | 'authFailed' | 'authSucceeded'>;
  /**
   * After a peer's silent death: the alerts of `storeIds` raised or changed within the last
   * `windowMs` (`alertsChangedWithin`, server/presence/alerts.ts). This node re-sends them to its
   * own sockets and tells them to pull only their feeds; without it they run the full catch-up.
   */
  peerLostAlerts?: (storeIds: readonly string[], windowMs: number) => Promise<ArrivalAlert[]>;
  /**
   * PostgreSQL: revocations announced by the database at commit (server/db/terminal-revocations.ts),
   * also those hub:admin writes in direct mode. `onGap`: announcements may have been lost.
   */
  revocationListener?: (handlers: { onRevoked(terminalId: string): void; onGap(): void }) => {
    close(): Promise<void>;
  };
}): Promise<Realtime> {
  const io = new Server(options.httpServer, {
    cors: { origin: [...options.corsOrigins] },
    serveClient: false,
    transports: ['websocket', 'polling'],
    // Terminals send one event, `alert:claim` (two ids, < 200 bytes); 16 KiB leaves room for a
    // polling POST that batches a few packets, and refuses megabyte frames before parsing.
    maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES,
  });
  let redis: RedisLink | null = null;
  // With peers only (REDIS_URL): what a survivor need not re-send after a peer's death — what it
  // told its sockets itself, and what the peers' broadcasts told them through it.
  let toldHere: ToldHere | null = null;
  if (options.redisUrl) {
    const told = createToldHere({ windowMs: TOLD_HERE_MS });
    toldHere = told;
    const [link, { createAdapter }] = await Promise.all([
      openRedisLink({ url: options.redisUrl, log: options.log }),
      import('@socket.io/redis-adapter'),
    ]);
    redis = link;
    // Decision (issue 12): a hub whose Redis is unreachable at start still starts, serving its own
    // terminals (readyz says 503 meanwhile), and joins the other nodes when Redis arrives — a
    // store keeps its alerts through a Redis restart that coincides with a hub restart.
    const up = await link.firstAttempt(REDIS_START_WAIT_MS);
    // Pub/sub channels are global to a Redis server (a db number does not separate them): without a
    // deployment's own key, two deployments on one Redis would deliver each other's alerts.
    // `<prefix>:io` makes every channel start with `<prefix>:` (`<prefix>:io#/terminal#…`, one ACL
    // rule covers them; bare keys `a` and `a-request` would share `a-request#…`).
    io.adapter(
      countingPeerDeliveries(
        createAdapter(link.pub, link.sub, { key: `${options.redisPrefix}:io` }),
        told,
      ),
    );
    options.log.info(
      { redis: up ? 'up' : 'down', redisPrefix: options.redisPrefix },
      'socket.io redis adapter enabled',
    );
  }

  const terminals: TerminalNamespace = io.of(TERMINAL_NAMESPACE);
  const revocationCheckMs = options.revocationCheckMs ?? 30_000;
  // A revoked or re-issued terminal's sockets: dropped when the revocation is announced (REST, or
  // PostgreSQL at commit), else found by the periodic check (socket-revocation.ts).
  const revocation = createSocketRevocation({
    terminals,
    db: options.db,
    log: options.log,
    checkMs: revocationCheckMs,
    // The in-memory adapter (no REDIS_URL) has no peers, and only warns when asked.
    peers: redis ? io : null,
    evictEverywhere: (terminalId) => terminalAuth.evictEverywhere(terminalId),
  });
  // Resolved terminals are trusted from memory at most one revocation check (≤ 30 s; terminal-auth.ts).
  const terminalAuth = createTerminalAuth({
    io,
    redis,
    db: options.db,
    log: options.log,
    ttlMs: revocationCheckMs,
    revocationListener: options.revocationListener,
    // Every node hears the database's announcement: each drops its own sockets of the terminal.
    onAnnounced: (terminalId) => void revocation.dropAnnounced(terminalId),
  });
  const lastSeen = createLastSeenStamps({ db: options.db, log: options.log });

  terminals.use((socket, next) => {
    const auth: unknown = socket.handshake.auth;
    const token =
      typeof auth === 'object' && auth !== null && 'token' in auth ? auth.token : undefined;
    const address = socket.handshake.address;
    const throttle = options.handshakeThrottle;
    const credential = typeof token === 'string' && token.length > 0 ? `terminal:${token}` : null;
    void (async () => {
      const wait = throttle ? await throttle.authBlockedFor(address, credential) : null;
      if (wait !== null) return next(new Error('rate_limited'));
      // Hashed once: the cache's key, and what the socket is known by if the token is re-issued.
      const tokenHash = typeof token === 'string' && token.length > 0 ? hashSecret(token) : null;
      // A revocation or re-issue announced while the row was read looks for the terminal's sockets
      // here before this one joins its room (it finds none): the lookup reads the row again rather
      // than answer what it read before the commit (auth/terminal-cache.ts). From its answer to
      // the join (`connection` below, after a process.nextTick) no announcement can arrive.
      const terminal = tokenHash === null ? null : await terminalAuth.resolveHash(tokenHash);
      if (!terminal || tokenHash === null || credential === null) {
        await throttle?.authFailed(address, credential);
        return next(new Error('unauthorized'));
      }
      throttle?.authSucceeded(credential);
      socket.data.terminal = terminal;
      revocation.authenticated(socket, tokenHash);
      next();
    })().catch((error: unknown) => {
      options.log.error({ err: error }, 'socket auth failed');
      next(new Error('unavailable'));
    });
  });
  terminals.on('connection', (socket) => {
    const { storeId, terminalId } = socket.data.terminal;
    void socket.join([storeRoom(storeId), terminalRoom(terminalId)]);
    // "Last seen" for IT (`hub:admin list-terminals`): stamped within a second of the connect
    // (connects coalesced into one statement, last-seen.ts) and by the check below.
    lastSeen.add(terminalId);
    for (const handler of options.handlers) handler(socket);
  });

  // Live events emitted anywhere while this node's link was down reached only their own node's
  // terminals, and this node's events only its own: once the link is back, every terminal of the
  // chain (this node's directly, the others' through the adapter) runs its catch-up. Repeats from
  // several nodes coalesce in the terminal; `spreadMs` keeps a chain's terminals from all asking
  // at the same instant.
  redis?.onRestored(() =>
    terminals.emit(SocketEvents.syncResync, {
      reason: 'redis_restored',
      spreadMs: RESYNC_SPREAD_MS,
    }),
  );
  const resyncAfterPeerLost = createPeerLostResync({
    terminals,
    log: options.log,
    peerLostAlerts: options.peerLostAlerts,
    toldHere,
    spreadMs: RESYNC_SPREAD_MS,
  });
  const link = redis;
  const peers =
    link &&
    watchPeers({
      redis: link.pub,
      key: `${options.redisPrefix}:nodes`,
      nodeId: randomUUID(),
      isUp: () => link.state() === 'up',
      onPeerLost: (loss) => void resyncAfterPeerLost(loss),
      log: options.log,
    });

  // Each node tells its own sockets of every node's changes (hint-delivery.ts).
  const hints = createHintDelivery({
    terminals,
    peers: redis ? io : null,
    route: options.customerHintStores,
    log: options.log,
    spacingMs: CHAIN_HINT_SPACING_MS,
  });
  return {
    io,
    terminals,
    toStore: (storeId, event, ...args) => {
      // Told to the alert's own store's room only counts as told (told-here.ts).
      if (toldHere && (event === SocketEvents.alertNew || event === SocketEvents.alertUpdated)) {
        const alert = args[0] as ArrivalAlert | AlertUpdate;
        if (alert.storeId === storeId) toldHere.told(alert);
      }
      terminals.to(storeRoom(storeId)).emit(event, ...args);
    },
    toStores: (storeIds, event, ...args) => {
      // `to([])` would address every socket of the namespace.
      if (storeIds.length > 0) terminals.to(storeIds.map(storeRoom)).emit(event, ...args);
    },
    toAll: (event, ...args) => {
      if (event === 'customers:changed' || event === 'catalog:changed') {
        const [payload] = args as Parameters<HubToTerminalEvents['customers:changed']>;
        hints.own(event, payload.cursor);
      } else terminals.emit(event, ...args);
    },
    toPeers: (event) => {
      // The in-memory adapter (no REDIS_URL) has no peers, and only warns when asked.
      if (redis) io.serverSideEmit(event);
    },
    onPeer: (event, listener) => {
      io.on(event, listener);
      redis?.onRestored(listener);
    },
    terminalForToken: (token) => terminalAuth.resolve(token),
    revokeTerminal: async (terminalId, tokenHash) => {
      // Forgotten everywhere first: a socket dropped below that reconnects to another node at
      // once finds no cached principal there.
      await terminalAuth.evictEverywhere(terminalId);
      revocation.announce(terminalId, tokenHash);
    },
    redisState: () => redis?.state() ?? 'off',
    async close() {
      revocation.close();
      hints.close();
      // Only this node's sockets; the HTTP server itself is closed by Fastify.
      terminals.local.disconnectSockets(true);
      io.engine.close();
      // What connected in the last second is stamped before the database closes.
      await lastSeen.close();
      await peers?.close();
      await terminalAuth.close();
      await redis?.close();
    },
  };
}
