/**
 * Child process of `hub-bench.ts` and `chain-bench.ts`: holds the terminal sockets and timestamps
 * every `alert:new`. Kept apart from the HTTP sender so decoding thousands of deliveries a second
 * does not delay the sender's clock or its requests (and the sender's work does not delay the
 * receive timestamps). Times are absolute (`performance.timeOrigin + performance.now()`),
 * comparable across processes on one machine. Talks to the parent over IPC only; exits when told
 * to stop or the parent goes.
 *
 * With `failover`, sockets behave as the terminal's live channel does
 * (renderer/sync/http-hub-client.ts, live-events.ts): socket.io reconnects with the renderer's
 * backoff (1 s doubling to 30 s, ±50 %), a stand-in load balancer (bench-http.ts) sends each
 * reconnect to the socket's own node while healthy and to the other one otherwise, and after
 * every reconnect the terminal's catch-up runs: `GET /api/v1/alerts?since=<now − 35 min>` with its
 * token, each alert counted once per socket whether it came live or by the catch-up. A
 * `sync:resync` runs the same catch-up after a random share of its spread, as the terminal does
 * (none with `alerts: false`: the survivor of a peer's death re-sent them as `alert:new`).
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { io, type Socket } from 'socket.io-client';
import { API_PREFIX, endpointPath, endpoints, type ArrivalAlert } from '../../shared/protocol';
import { createBalancer, keepAliveClient, type Balancer } from './bench-http';

/** Parent → child. `nodes[i]` is the index in `urls` socket i is sticky to (default 0). */
export type SwarmCommand =
  | {
      type: 'connect';
      urls: string[];
      tokens: string[];
      nodes?: number[];
      /** reconnect, fail over and catch up as a terminal does (else: no reconnection) */
      failover?: boolean;
      /** socket numbers in reports start here (a swarm split over several children) */
      offset?: number;
    }
  | {
      type: 'measure';
      /**
       * Pull the customer feed on each `customers:changed` and the catalog feed on each
       * `catalog:changed` from here on, as a terminal does, every socket starting at these cursors
       * (the feeds' heads when the burst starts); absent: only count the hints.
       */
      pullFrom?: Record<Feed, string>;
    }
  | { type: 'stop' };
/** The feeds a terminal pulls on a hint (renderer/sync/live-events.ts), as the swarm models them. */
const FEEDS = ['customers', 'catalog'] as const;
export type Feed = (typeof FEEDS)[number];
/** One alert seen by one socket: [alertId, `storeId:customerId`, received at, socket, 0 live | 1 catch-up]. */
export type AlertSeen = [string, string, number, number, 0 | 1];
/**
 * One reconnect: [socket, disconnected at, connected at, node, catch-up answered at, alerts in it,
 * attempts, when the attempt that connected began].
 */
export type Reconnect = [number, number, number, number, number, number, number, number];
/** Child → parent. */
export type SwarmReport =
  | { type: 'connected'; count: number; rssBytes: number }
  | { type: 'alerts'; items: AlertSeen[] }
  /** milliseconds per feed page request since the previous report (sent like `alerts`) */
  | { type: 'pageMs'; feed: Feed; items: number[] }
  | { type: 'reconnects'; items: Reconnect[] }
  | {
      type: 'done';
      loopDelayP99: number;
      /** sockets connected now, per node */
      connectedPerNode: number[];
      /** disconnects not followed by a reconnect, catch-up requests that failed */
      stillDown: number;
      catchUpFailures: number;
      /**
       * feed hints received from `measure` on: a terminal pulls that feed on each
       * (renderer/sync/live-events.ts); these sockets only count them
       */
      hints: { customers: number; catalog: number };
      /** with `pullFrom`: the feed pulls the hints caused (see `FeedPulls`), per feed */
      pulls: Record<Feed, FeedPulls>;
      rssBytes: number;
    }
  | { type: 'error'; message: string };

/**
 * A terminal's answer to `customers:changed` or `catalog:changed` (renderer/sync/feed-pull.ts):
 * pull that feed of its store from its cursor, page by page (2,000 rows; the first page of a pull
 * counts `total`), one pull of a feed at a time per terminal — hints arriving during a pull make
 * one more pull after it.
 */
export type FeedPulls = {
  pulls: number;
  pages: number;
  rows: number;
  failed: number;
  /** milliseconds per page request, in the order answered (reported in `pageMs` chunks) */
  pageMs: number[];
};

/** How far back a terminal's reconnect catch-up asks (renderer/sync/sync-engine.ts). */
const CATCH_UP_MINUTES = 35;
const now = () => performance.timeOrigin + performance.now();
const send = (report: SwarmReport) => process.send?.(report);
const rss = () =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) * 1024;
const sockets: Socket[] = [];
const nodeOf: number[] = [];
const downSince = new Map<number, number>();
let alerts: AlertSeen[] = [];
let reconnects: Reconnect[] = [];
let catchUpFailures = 0;
const hints = { customers: 0, catalog: 0 };
let counting = false;
/** `measure`'s `pullFrom`: pull on each feed hint from then on (else null: count only) */
let pullFrom: Record<Feed, string> | null = null;
const noPulls = (): FeedPulls => ({ pulls: 0, pages: 0, rows: 0, failed: 0, pageMs: [] });
const pulls: Record<Feed, FeedPulls> = { customers: noPulls(), catalog: noPulls() };
const feedPaths: Record<Feed, string> = {
  customers: `${API_PREFIX}${endpointPath(endpoints.syncCustomers)}`,
  catalog: `${API_PREFIX}${endpointPath(endpoints.syncCatalog)}`,
};
/** Feed page size and pull rounds as the terminal's (DEFAULT_PAGE_SIZE, MAX_PAGE_ROUNDS). */
const PAGE_SIZE = 2_000;

/** One terminal's feed puller: a pull at a time, hints during it folded into one more. */
function feedPuller(feed: Feed, token: string, url: () => string) {
  const counts = pulls[feed];
  let cursor: string | null = null;
  let running = false;
  let again = false;
  const pullOnce = async () => {
    cursor ??= pullFrom![feed];
    for (let first = true; ; first = false) {
      const started = now();
      const answer = await http.get(
        `${url()}${feedPaths[feed]}?after=${cursor}&limit=${PAGE_SIZE}&withTotal=${first}`,
        { authorization: `Bearer ${token}` },
      );
      counts.pageMs.push(now() - started);
      counts.pages += 1;
      if (answer.status !== 200) throw new Error(`feed pull: HTTP ${answer.status}`);
      const page = JSON.parse(answer.body) as {
        items: unknown[];
        cursor: string;
        hasMore: boolean;
      };
      counts.rows += page.items.length;
      cursor = page.cursor;
      if (!page.hasMore) return;
    }
  };
  return () => {
    if (pullFrom === null) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    void (async () => {
      do {
        again = false;
        counts.pulls += 1;
        await pullOnce().catch(() => (counts.failed += 1));
      } while (again);
      running = false;
    })();
  };
}
let balancer: Balancer | null = null;
/** This child's first socket number in the whole swarm (reports use the swarm's numbers). */
let offset = 0;
const http = keepAliveClient(200);
const lag = monitorEventLoopDelay({ resolution: 10 });
/** The page times since the last report, per feed (then forgotten here). */
const sendPageTimes = () => {
  for (const feed of FEEDS) {
    if (pulls[feed].pageMs.length > 0) send({ type: 'pageMs', feed, items: pulls[feed].pageMs });
    pulls[feed].pageMs = [];
  }
};
const flush = setInterval(() => {
  if (alerts.length > 0) send({ type: 'alerts', items: alerts });
  sendPageTimes();
  if (reconnects.length > 0) send({ type: 'reconnects', items: reconnects });
  alerts = [];
  reconnects = [];
}, 100);

const alertsPath = `${API_PREFIX}${endpointPath(endpoints.alerts)}`;

/** The terminal's catch-up after a reconnect (LiveEvents.catchUpAlerts), on the node it reached. */
async function catchUp(index: number, token: string, url: string): Promise<[number, number]> {
  const since = new Date(Date.now() - CATCH_UP_MINUTES * 60_000).toISOString();
  const answer = await http.get(`${url}${alertsPath}?since=${encodeURIComponent(since)}`, {
    authorization: `Bearer ${token}`,
  });
  if (answer.status !== 200) throw new Error(`catch-up: HTTP ${answer.status}`);
  const items = (JSON.parse(answer.body) as { items: ArrivalAlert[] }).items;
  const at = now();
  for (const a of items)
    alerts.push([a.alertId, `${a.storeId}:${a.card.customerId}`, at, offset + index, 1]);
  return [at, items.length];
}

function open(index: number, urls: readonly string[], token: string, failover: boolean) {
  const url = urls[nodeOf[index] ?? 0]!;
  const socket = io(`${url}/terminal`, {
    auth: { token },
    transports: ['websocket'],
    forceNew: true,
    // The renderer's live channel: socket.io's backoff from 1 s up to 30 s, ±50 %.
    reconnection: failover,
    reconnectionDelay: 1_000,
    reconnectionDelayMax: 30_000,
    randomizationFactor: 0.5,
  });
  sockets[index] = socket;
  socket.on('alert:new', (alert: ArrivalAlert) => {
    alerts.push([
      alert.alertId,
      `${alert.storeId}:${alert.card.customerId}`,
      now(),
      offset + index,
      0,
    ]);
  });
  // The node this socket is connected to now (a failover moves it).
  const node = () => (socket.io as unknown as { uri: string }).uri.replace(/\/terminal$/, '');
  const pull = {
    customers: feedPuller('customers', token, node),
    catalog: feedPuller('catalog', token, node),
  };
  socket.on('customers:changed', () => {
    if (!counting) return;
    hints.customers += 1;
    pull.customers();
  });
  socket.on('catalog:changed', () => {
    if (!counting) return;
    hints.catalog += 1;
    pull.catalog();
  });
  if (!failover) return socket;
  // The manager keeps the URL it was made with; a load balancer would route the reconnect, so the
  // bench sets it before each attempt (socket.io-client reads `uri` when it opens a transport).
  const manager = socket.io as unknown as { uri: string };
  let target = nodeOf[index] ?? 0;
  let attempts = 0;
  let attemptAt = Number.NaN;
  socket.io.on('reconnect_attempt', () => {
    attempts += 1;
    attemptAt = now();
    target = balancer!.route(nodeOf[index] ?? 0);
    manager.uri = `${urls[target]}/terminal`;
  });
  socket.io.on('reconnect_error', () => balancer!.markDown(target));
  socket.on('disconnect', () => {
    if (!downSince.has(index)) downSince.set(index, now());
  });
  // `sync:resync` (a Redis outage, or a peer node that died silently): the terminal's catch-up
  // after a random share of the spread (LiveEvents.scheduleResync), on the node it is connected to.
  // `alerts: false` (a survivor after `peer_lost` re-sent the alerts itself): the terminal pulls
  // only its feeds, which the swarm does not model, so nothing is asked.
  let resyncPending = false;
  socket.on('sync:resync', (payload: { spreadMs?: number; alerts?: boolean }) => {
    if (resyncPending || payload?.alerts === false) return;
    resyncPending = true;
    const spread = Math.min(Number(payload?.spreadMs) || 0, 10_000);
    setTimeout(
      () => {
        resyncPending = false;
        catchUp(index, token, urls[target]!).catch(() => (catchUpFailures += 1));
      },
      Math.floor(Math.random() * spread),
    );
  });
  socket.on('connect', () => {
    const since = downSince.get(index);
    if (since === undefined) return; // the first connect: nothing can have been missed yet
    downSince.delete(index);
    const at = now();
    const tried = [attempts, attemptAt] as const;
    attempts = 0;
    catchUp(index, token, urls[target]!)
      .then(([answered, count]) =>
        reconnects.push([offset + index, since, at, target, answered, count, ...tried]),
      )
      .catch(() => {
        catchUpFailures += 1;
        reconnects.push([offset + index, since, at, target, Number.NaN, 0, ...tried]);
      });
  });
  return socket;
}

async function connectAll(command: Extract<SwarmCommand, { type: 'connect' }>) {
  const { urls, tokens } = command;
  const failover = command.failover ?? false;
  offset = command.offset ?? 0;
  if (failover) balancer = createBalancer(urls);
  tokens.forEach((_, i) => (nodeOf[i] = command.nodes?.[i] ?? 0));
  let next = 0;
  // At most 50 handshakes in flight.
  await Promise.all(
    Array.from({ length: Math.min(50, tokens.length) }, async () => {
      while (next < tokens.length) {
        const i = next++;
        const socket = open(i, urls, tokens[i]!, failover);
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', (e) => reject(e));
        });
      }
    }),
  );
}

process.on('message', (command: SwarmCommand) => {
  if (command.type === 'connect') {
    connectAll(command)
      .then(() => send({ type: 'connected', count: sockets.length, rssBytes: rss() }))
      .catch((e: unknown) => send({ type: 'error', message: String(e) }));
  } else if (command.type === 'measure') {
    lag.enable();
    counting = true;
    pullFrom = command.pullFrom ?? null;
  } else {
    const connectedPerNode: number[] = [];
    sockets.forEach((s, i) => {
      if (!s.connected) return;
      const url = (s.io as unknown as { uri: string }).uri;
      const node = balancer ? balancer.urls.findIndex((u) => url.startsWith(u)) : (nodeOf[i] ?? 0);
      connectedPerNode[node] = (connectedPerNode[node] ?? 0) + 1;
    });
    const rssBytes = rss();
    const stillDown = downSince.size;
    for (const s of sockets) s.disconnect();
    balancer?.stop();
    http.close();
    lag.disable();
    clearInterval(flush);
    if (alerts.length > 0) send({ type: 'alerts', items: alerts });
    sendPageTimes();
    if (reconnects.length > 0) send({ type: 'reconnects', items: reconnects });
    const done: SwarmReport = {
      type: 'done',
      loopDelayP99: lag.percentile(99) / 1e6,
      connectedPerNode: Array.from(connectedPerNode, (n) => n ?? 0),
      stillDown,
      catchUpFailures,
      hints,
      // the page times went in `pageMs` reports (one message of them all could be megabytes)
      pulls: {
        customers: { ...pulls.customers, pageMs: [] },
        catalog: { ...pulls.catalog, pageMs: [] },
      },
      rssBytes,
    };
    // Disconnected once the last report is written: a channel closed with messages still queued
    // loses them, and the parent would wait for `done` for ever.
    process.send?.(done, () => process.disconnect?.());
  }
});
// The parent died or closed the channel: never linger with thousands of open sockets.
process.on('disconnect', () => process.exit(0));
