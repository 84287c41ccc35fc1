import type { FastifyBaseLogger } from 'fastify';
import type { Redis, RedisOptions } from 'ioredis';

export type RedisLinkState = 'up' | 'down';

/** What the link reports when it comes back after an outage (also after a degraded start). */
export type RedisOutage = { downMs: number; droppedEmits: number };

/**
 * The two Redis connections the socket.io adapter runs on, hardened for outages: no command
 * error ever ends the process, publishes fail at once while Redis is away (the live emit to this
 * node's own sockets has already happened; terminals elsewhere catch up when the link returns),
 * reconnects go on forever with a capped backoff, and state changes are logged once each.
 */
export type RedisLink = {
  readonly pub: Redis;
  readonly sub: Redis;
  /** 'up' once both connections are ready and the subscriber's channels are live again */
  state(): RedisLinkState;
  /** Resolves when the link is up, or with false once the first attempt failed or `ms` passed. */
  firstAttempt(ms: number): Promise<boolean>;
  /** Called on every transition from down to up after `firstAttempt` settled. */
  onRestored(listener: (outage: RedisOutage) => void): void;
  close(): Promise<void>;
};

const HEARTBEAT_MS = 2_000;
const HEARTBEAT_TIMEOUT_MS = 3_000;

/** Reconnect delay: 200 ms doubling to 2 s, never giving up (the outage may last hours). */
export const redisRetryDelay = (attempt: number): number =>
  Math.min(100 * 2 ** Math.min(attempt, 5), 2_000);

/** Opens both connections; never throws for an unreachable Redis (the hub starts degraded). */
export async function openRedisLink(options: {
  url: string;
  log: FastifyBaseLogger;
}): Promise<RedisLink> {
  const { Redis: RedisClient } = await import('ioredis');
  const common: RedisOptions = {
    retryStrategy: redisRetryDelay,
    connectTimeout: 5_000,
  };
  const pub = new RedisClient(options.url, {
    ...common,
    // A publish while Redis is away fails at once instead of waiting in an unbounded queue: the
    // alert it carried was already emitted to this node's sockets, and the other nodes'
    // terminals fetch it with their catch-up when the link returns (sync:resync).
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 5_000,
  });
  const sub = new RedisClient(options.url, {
    ...common,
    // The subscriber only ever gets the adapter's handful of SUBSCRIBE commands, at start: they
    // wait for Redis however long it takes (a hub started during an outage subscribes when it
    // arrives). After that ioredis re-subscribes on every reconnect (autoResubscribe).
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
  });

  let droppedEmits = 0;
  for (const client of [pub, sub]) {
    // @socket.io/redis-adapter (8.3) calls publish/subscribe without handling the promise they
    // return; during an outage that rejection was unhandled and ended the process (issue 12).
    // Marking every command's promise as handled here keeps a caller that awaits it seeing the
    // error, while a fire-and-forget command can no longer take the hub down.
    const send = client.sendCommand.bind(client);
    client.sendCommand = (command, stream) => {
      command.promise.catch(() => {
        if (command.name === 'publish') droppedEmits += 1;
      });
      try {
        return send(command, stream);
      } catch (error) {
        // The adapter publishes before it emits to this node's own sockets: a throw here would
        // cost the local delivery too.
        command.reject(error instanceof Error ? error : new Error(String(error)));
        return command.promise;
      }
    };
  }

  let lastError: string | null = null;
  let subSynced = false;
  let state: RedisLinkState = 'down';
  let downSince = Date.now();
  let droppedAtDown = 0;
  let settled = false;
  const restoredListeners: ((outage: RedisOutage) => void)[] = [];
  const stateListeners = new Set<() => void>();

  const compute = (): RedisLinkState =>
    pub.status === 'ready' && sub.status === 'ready' && subSynced ? 'up' : 'down';
  const update = () => {
    const next = compute();
    if (next === state) return;
    state = next;
    if (next === 'down') {
      downSince = Date.now();
      droppedAtDown = droppedEmits;
      options.log.warn(
        { redis: 'down', reason: lastError ?? 'connection closed' },
        'redis link down: live events reach this node’s terminals only; the others catch up when it returns',
      );
    } else {
      const outage = { downMs: Date.now() - downSince, droppedEmits: droppedEmits - droppedAtDown };
      options.log.info(
        { redis: 'up', ...outage },
        settled ? 'redis link restored' : 'redis link up',
      );
      lastError = null;
      // Listeners may run inside ioredis' 'ready' handling: a throw must not stop its re-subscribe.
      if (settled)
        for (const listener of restoredListeners) {
          try {
            listener(outage);
          } catch (error) {
            options.log.error({ err: error }, 'redis restore listener failed');
          }
        }
    }
    for (const listener of stateListeners) listener();
  };

  for (const client of [pub, sub]) {
    client.on('error', (error: Error & { code?: string }) => {
      // Reported with the next state change, not per retry (a long outage would flood the log).
      lastError = error.code ?? error.message;
    });
    client.on('close', update);
    client.on('end', update);
    client.on('reconnecting', update);
  }
  sub.on('close', () => {
    subSynced = false;
  });
  pub.on('ready', update);
  sub.on('ready', () => {
    // ioredis emits 'ready' before it sends the queued and re-subscribe commands (same tick); a
    // PING queued after them answers only once every subscription is live again, so 'up' means
    // cross-node delivery really works.
    setImmediate(() => {
      sub
        .ping()
        .then(() => {
          if (sub.status !== 'ready') return;
          subSynced = true;
          update();
        })
        .catch(() => undefined);
    });
  });

  // A Redis that stops answering without closing the connection (frozen, or a network path
  // that drops packets) would otherwise read as 'up' while nothing crosses nodes. A PING
  // unanswered in HEARTBEAT_TIMEOUT_MS drops the connection: the link reads 'down', reconnects
  // with the usual backoff, and comes 'up' (with a resync) once Redis answers again.
  const pinging = new Set<Redis>();
  const heartbeat = setInterval(() => {
    for (const client of [pub, sub]) {
      if (client.status !== 'ready' || pinging.has(client)) continue;
      pinging.add(client);
      const timer = setTimeout(() => {
        lastError = 'no answer to PING';
        pinging.delete(client);
        client.stream.destroy();
      }, HEARTBEAT_TIMEOUT_MS);
      const done = () => {
        clearTimeout(timer);
        pinging.delete(client);
      };
      client.ping().then(done, done);
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  return {
    pub,
    sub,
    state: () => state,
    firstAttempt(ms) {
      return new Promise<boolean>((resolve) => {
        let finished = false;
        const done = () => {
          if (finished) return;
          finished = true;
          clearTimeout(timer);
          stateListeners.delete(onChange);
          pub.off('reconnecting', done);
          sub.off('reconnecting', done);
          if (!settled && state === 'down')
            options.log.warn(
              { redis: 'down', reason: lastError ?? 'not connected yet' },
              'redis unreachable at start: serving this node’s terminals only until it arrives',
            );
          settled = true;
          resolve(state === 'up');
        };
        const timer = setTimeout(done, ms);
        // A refused or timed-out first connection: start degraded rather than wait for Redis.
        pub.once('reconnecting', done);
        sub.once('reconnecting', done);
        const onChange = () => {
          if (state === 'up') done();
        };
        stateListeners.add(onChange);
        if (state === 'up') done();
      });
    },
    onRestored(listener) {
      restoredListeners.push(listener);
    },
    async close() {
      clearInterval(heartbeat);
      // quit() lets a healthy connection finish what it sent; a connection that is down is just
      // dropped (quit would wait for Redis, and disconnect also stops the reconnect timer).
      await Promise.all(
        [pub, sub].map(async (client) => {
          if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
          else client.disconnect();
        }),
      );
    },
  };
}
