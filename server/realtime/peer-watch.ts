import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';

/**
 * Which nodes of a deployment are alive, kept in Redis (issue #17 item 3): a node that dies
 * without stopping (SIGKILL, a crashed VM, a pulled cable) may have emitted an alert to its own
 * sockets and died before the adapter's publish reached Redis. The store's terminals on the other
 * nodes stayed connected, so nothing tells them to catch up: they would not see that alert until
 * their next reconnect. Each node therefore writes a heartbeat (a sorted set `<prefix>:nodes`,
 * member = node id, score = Redis' clock) and, when a peer's heartbeat stops for `timeoutMs`,
 * calls `onPeerLost` — the hub then re-sends its own sockets the alerts of their stores raised or
 * changed within `blindWindowAfterSilence(silence)` (at least `peerBlindWindowMs()`) and a
 * `sync:resync` for the feeds only (server/realtime/realtime.ts).
 *
 * A node that stops gracefully removes its entry (its publishes were flushed), so only a silent
 * death counts. Peers already silent when this node starts, or when its own link comes back, are
 * recorded without a call: a restored link sends its own resync. Timestamps are Redis' `TIME`, so
 * the nodes' clocks need not agree.
 */
export type PeerWatch = { close(): Promise<void> };

/** Heartbeat interval and the silence after which a peer counts as dead. */
export const PEER_HEARTBEAT_MS = 2_000;
export const PEER_TIMEOUT_MS = 6_000;
/**
 * How far back a node's silent death may have cost published events, counted from when a
 * survivor notices it: the peer's last heartbeat is at least `PEER_TIMEOUT_MS` old then, the
 * survivor's own tick may come up to one interval late, the peer may have lived almost one more
 * interval after its last heartbeat, and `PEER_BLIND_MARGIN_MS` covers a slow tick, the last
 * emits' way to Redis and the hubs' clocks disagreeing a little (the window is measured back on
 * the survivor's clock, the alerts were stamped by the dead node's). ≈ 20 s.
 */
export const PEER_BLIND_MARGIN_MS = 10_000;
export const peerBlindWindowMs = (
  timeoutMs: number = PEER_TIMEOUT_MS,
  heartbeatMs: number = PEER_HEARTBEAT_MS,
): number => timeoutMs + 2 * heartbeatMs + PEER_BLIND_MARGIN_MS;
/**
 * The blind window for a death noticed `silentMs` after the peer's last heartbeat (Redis' clock):
 * the peer may have lived almost one interval after that heartbeat, plus the margin — never less
 * than `peerBlindWindowMs()`. A survivor whose tick came late (a loaded node's timers run late)
 * notices after a longer silence, and the window grows with it instead of leaving the first
 * seconds of the peer's blind time uncovered.
 */
export const blindWindowAfterSilence = (
  silentMs: number,
  timeoutMs: number = PEER_TIMEOUT_MS,
  heartbeatMs: number = PEER_HEARTBEAT_MS,
): number =>
  Math.max(
    peerBlindWindowMs(timeoutMs, heartbeatMs),
    silentMs + heartbeatMs + PEER_BLIND_MARGIN_MS,
  );

/** A death noticed: how many peers, and the longest silence among them (Redis' clock, ms). */
export type PeerLoss = { peers: number; silentMs: number };
/** Entries silent this long are removed (a node id is never reused). */
const FORGET_MS = 10 * 60_000;

export function watchPeers(options: {
  redis: Redis;
  key: string;
  nodeId: string;
  /** whether this node's link is up (ticks are skipped while it is down) */
  isUp: () => boolean;
  onPeerLost: (loss: PeerLoss) => void;
  log: FastifyBaseLogger;
  everyMs?: number;
  timeoutMs?: number;
}): PeerWatch {
  const { redis, key, nodeId } = options;
  const timeoutMs = options.timeoutMs ?? PEER_TIMEOUT_MS;
  /** peers counted as dead (a peer writing again is taken off, so a later death counts again) */
  const lost = new Set<string>();
  /** the next tick only records silent peers: after a start or while the link was down */
  let settling = true;
  let running = false;
  let closed = false;

  const tick = async () => {
    if (running || closed) return;
    if (!options.isUp()) {
      settling = true;
      return;
    }
    running = true;
    try {
      const [seconds, micros] = await redis.time();
      const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
      const answers = await redis
        .multi()
        .zadd(key, now, nodeId)
        .zremrangebyscore(key, '-inf', now - FORGET_MS)
        .zrange(key, 0, -1, 'WITHSCORES')
        .exec();
      const entries = answers?.[2]?.[1];
      if (!Array.isArray(entries)) return;
      let newly = 0;
      let silentMs = 0;
      for (let i = 0; i + 1 < entries.length; i += 2) {
        const peer = String(entries[i]);
        if (peer === nodeId) continue;
        const silence = now - Number(entries[i + 1]);
        if (silence < timeoutMs) lost.delete(peer);
        else if (!lost.has(peer)) {
          lost.add(peer);
          if (!settling) {
            newly += 1;
            silentMs = Math.max(silentMs, silence);
          }
        }
      }
      settling = false;
      if (newly > 0 && !closed) {
        options.log.warn(
          { peersLost: newly, silentMs },
          'a hub node stopped without leaving: this node’s terminals catch up on what it may not have published',
        );
        options.onPeerLost({ peers: newly, silentMs });
      }
    } catch {
      // Redis answered badly or not at all: the link's own state handling reports and recovers.
      settling = true;
    } finally {
      running = false;
    }
  };

  const timer = setInterval(() => void tick(), options.everyMs ?? PEER_HEARTBEAT_MS);
  timer.unref();
  void tick();

  return {
    async close() {
      closed = true;
      clearInterval(timer);
      // Leaving on purpose: the others must not take this for a death.
      if (options.isUp()) await redis.zrem(key, nodeId).catch(() => undefined);
    },
  };
}
