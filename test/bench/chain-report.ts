/**
 * `chain-bench.ts`'s figures: what the run recorded → the block written to docs/benchmarks.md.
 * Pure (no processes, no I/O), so the arithmetic can be read apart from the machinery.
 */
import { percentile } from './bench-support';
import type { AlertSeen, Reconnect, SwarmReport } from './socket-swarm';

/** pg_stat_activity of the bench's database, every 2 s during the burst. */
export type LockSample = { advisoryWaits: number; idleInTransaction: number; running: number };

/** A presence event the bench sent: its store × member, when, the alert it raised, its tries. */
export type SentPresence = {
  key: string;
  at: number;
  alertId: string | null;
  attempts: number;
  /** when the hub's 202 came back (ms, the bench's clock) */
  answeredAt?: number;
  failed: boolean;
};

export type ChainResult = {
  command: string;
  uptime: string;
  load: string;
  machine: string;
  database: string;
  redis: string;
  stores: number;
  perStore: number;
  selling: number;
  rate: number;
  ordersRate: number;
  /** what ran before the burst, not counted */
  warmUp: { seconds: number; rate: number; ordersRate: number };
  seconds: number;
  kill: { at: number; node: number; killedAt: number | null } | null;
  setupSeconds: number;
  connectSeconds: number;
  connected: number;
  /** processes holding the sockets */
  socketChildren: number;
  feedScope: 'chain' | 'store';
  /** `--trail`: every member has an online trail, so each arrival's card reads stock */
  trail: boolean;
  swarmDone: Extract<SwarmReport, { type: 'done' }>;
  /** node each socket was sticky to */
  nodes: number[];
  storeOfSocket: number[];
  storeIds: string[];
  received: AlertSeen[];
  reconnects: Reconnect[];
  sent: SentPresence[];
  orders: {
    status: 'accepted' | 'duplicate' | 'rejected' | 'unacknowledged';
    attempts: number;
    stored: boolean;
  }[];
  ordersInDb: { n: number; distinct: number };
  ordersInDbTotal: number;
  failures: Map<string, number>;
  generatorLagP99: number;
  behind: { presence: number; orders: number };
  /** calls never started: the hubs had not taken the backlog by the end of the grace */
  unsent: { presence: number; orders: number };
  graceSeconds: number;
  lockSamples: LockSample[];
  burstSeconds: number;
  memory: {
    rssEmpty: number[];
    rssSetUp: number[];
    rssConnected: number[];
    rssAtKill: number[];
    rssEnd: number[];
    swarmRss: number;
    /** JS heap + external memory after a full collection (heap-probe.mjs), null: no answer */
    heapSetUp: (number | null)[];
    heapConnected: (number | null)[];
  };
  /** CPU seconds used since the burst's start, per probe: at the kill and at the end */
  cpu: {
    /** CPU seconds per probe over a window before the burst: sockets connected, nothing sent */
    atRest: { cpu: Map<string, number>; seconds: number; machineBusy: number };
    atKill: Map<string, number> | null;
    end: Map<string, number>;
    probes: string[];
    /** absolute ms of the start / kill / end samples */
    times: { start: number; kill: number | null; end: number };
  };
  machineBusy: number;
  /** SYNs the kernel dropped on a full accept queue, while the sockets connected / over the burst */
  listenDrops: { connect: number; burst: number };
  /** alerts the surviving node re-sent its own sockets after the peer's death (its log), or null */
  resentBySurvivor: number | null;
};

const children = (r: ChainResult) =>
  r.socketChildren > 1 ? `children (${r.socketChildren})` : 'child';
const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(x < 10 ? 1 : 0)} ms` : '—');
const s1 = (x: number) => (Number.isFinite(x) ? `${(x / 1000).toFixed(1)} s` : '—');
const mib = (x: number) => (Number.isFinite(x) ? `${(x / 2 ** 20).toFixed(0)} MiB` : '—');
const kib = (x: number) => (Number.isFinite(x) ? `${(x / 1024).toFixed(1)} KiB` : '—');
const n = (x: number) => x.toLocaleString('en-US');
const sortedMs = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
const sorted = (xs: number[]) => xs.filter(Number.isFinite).sort((a, b) => a - b);

export function computeChain(r: ChainResult) {
  const killedAt = r.kill?.killedAt ?? null;
  const socketsOfStore = new Map<string, number[]>();
  r.storeOfSocket.forEach((store, socket) => {
    const id = r.storeIds[store]!;
    socketsOfStore.set(id, [...(socketsOfStore.get(id) ?? []), socket]);
  });

  // Presence: what the hub acknowledged, and the alert each raised.
  const accepted = r.sent.filter((e) => !e.failed);
  const alerts = accepted.filter((e) => e.alertId !== null);
  const byAlert = new Map(alerts.map((e) => [e.alertId!, e]));

  // Deliveries: the first time each socket had each alert, live or by its catch-up.
  const first = new Map<string, { at: number; via: 0 | 1; sentAt: number }>();
  let unknown = 0;
  for (const [alertId, , at, socket, via] of r.received) {
    const e = byAlert.get(alertId);
    if (!e) {
      unknown += 1;
      continue;
    }
    const pair = `${alertId}|${socket}`;
    const seen = first.get(pair);
    if (!seen || at < seen.at) first.set(pair, { at, via, sentAt: e.at });
  }
  // Each terminal's first delivery of each alert, where it came live (a survivor's re-send of an
  // alert the terminal already had is a repeat, not a delivery).
  const liveLatencies = [...first.values()].flatMap((d) => (d.via === 0 ? [d.at - d.sentAt] : []));

  const firstLatency: number[] = [];
  const firstLatencyBeforeKill: number[] = [];
  /** after the kill, by when the alert was raised: [kill, +5 s), [+5, +10 s), [+10 s, end) */
  const afterKill: number[][] = [[], [], []];
  /** by when the alert was raised, in 5 s windows from the burst's first event (the warm-up shows) */
  let burstStart = Number.POSITIVE_INFINITY;
  for (const e of alerts) burstStart = Math.min(burstStart, e.at);
  const byWindow: number[][] = Array.from({ length: Math.ceil(r.seconds / 5) }, () => []);
  let lostPairs = 0;
  let lostPairsOnKilled = 0;
  let alertsWithLoss = 0;
  let alertsNeverDelivered = 0;
  let recoveredPairs = 0;
  let pairs = 0;
  for (const e of alerts) {
    const storeId = e.key.split(':')[0]!;
    let earliest = Number.POSITIVE_INFINITY;
    let lost = 0;
    for (const socket of socketsOfStore.get(storeId) ?? []) {
      pairs += 1;
      const d = first.get(`${e.alertId}|${socket}`);
      if (!d) {
        lost += 1;
        if (r.kill && r.nodes[socket] === r.kill.node) lostPairsOnKilled += 1;
        continue;
      }
      if (d.via === 1) recoveredPairs += 1;
      earliest = Math.min(earliest, d.at);
    }
    lostPairs += lost;
    if (lost > 0) alertsWithLoss += 1;
    if (!Number.isFinite(earliest)) {
      alertsNeverDelivered += 1;
      continue;
    }
    firstLatency.push(earliest - e.at);
    byWindow[Math.min(byWindow.length - 1, Math.floor((e.at - burstStart) / 5_000))]!.push(
      earliest - e.at,
    );
    if (killedAt === null || e.at < killedAt) firstLatencyBeforeKill.push(earliest - e.at);
    else afterKill[Math.min(2, Math.floor((e.at - killedAt) / 5_000))]!.push(earliest - e.at);
  }

  // Failover: the killed node's sockets, from the kill to connected elsewhere and caught up.
  const movedSockets = r.kill ? r.nodes.filter((x) => x === r.kill!.node).length : 0;
  const moved = r.reconnects.filter((x) => r.kill && r.nodes[x[0]] === r.kill.node);
  const others = r.reconnects.filter((x) => !r.kill || r.nodes[x[0]] !== r.kill.node);
  const reconnectMs = sorted(moved.map((x) => x[2] - (killedAt ?? x[1])));
  const caughtUpMs = sorted(moved.map((x) => x[4] - (killedAt ?? x[1])));
  const caughtUpIn10s = caughtUpMs.filter((x) => x <= 10_000).length;
  const toSurvivor = moved.filter((x) => x[3] !== r.kill?.node).length;
  const catchUpAlerts = moved.reduce((sum, x) => sum + x[5], 0);

  // Orders: told vs stored.
  const count = (status: string) => r.orders.filter((o) => o.status === status).length;
  const acked = r.orders.filter((o) => o.status === 'accepted' || o.status === 'duplicate');
  const orders = {
    generated: r.orders.length,
    accepted: count('accepted'),
    duplicate: count('duplicate'),
    rejected: count('rejected'),
    unacknowledged: count('unacknowledged'),
    retried: r.orders.filter((o) => o.attempts > 1).length,
    ackedNotStored: acked.filter((o) => !o.stored).length,
    storedNotAcked: r.orders.filter((o) => o.stored && !acked.includes(o)).length,
    rows: r.ordersInDb.n,
    distinctRows: r.ordersInDb.distinct,
    rowsTotal: r.ordersInDbTotal,
  };
  const exactlyOnce =
    orders.ackedNotStored === 0 &&
    orders.rows === orders.distinctRows &&
    orders.rowsTotal === orders.rows &&
    orders.rows === acked.length + orders.storedNotAcked;

  // Memory: sockets per node as connected at the start.
  const perNode = [0, 1].map((i) => r.nodes.filter((x) => x === i).length);
  const memory = perNode.map((sockets, i) => ({
    sockets,
    empty: r.memory.rssEmpty[i]!,
    setUp: r.memory.rssSetUp[i]!,
    connected: r.memory.rssConnected[i]!,
    perSocket: (r.memory.rssConnected[i]! - r.memory.rssSetUp[i]!) / sockets,
    heapSetUp: r.memory.heapSetUp[i] ?? null,
    heapConnected: r.memory.heapConnected[i] ?? null,
    atKill: r.memory.rssAtKill[i] ?? Number.NaN,
    end: r.memory.rssEnd[i]!,
  }));

  // CPU: cores used by each process over its window (the killed hub until its kill).
  const window = (r.cpu.times.end - r.cpu.times.start) / 1000;
  const cpu = r.cpu.probes.map((name) => {
    const dead = r.kill !== null && name === `hub ${r.kill.node + 1}`;
    const end = dead ? r.cpu.atKill?.get(name) : r.cpu.end.get(name);
    const seconds = dead
      ? ((r.cpu.times.kill ?? r.cpu.times.end) - r.cpu.times.start) / 1000
      : window;
    return { name, cores: (end ?? Number.NaN) / seconds, dead };
  });

  const sortedFirst = sorted(firstLatency);
  const sortedBefore = sorted(firstLatencyBeforeKill);
  const sortedLive = sorted(liveLatencies);
  return {
    presence: {
      sent: r.sent.length,
      accepted: accepted.length,
      failed: r.sent.length - accepted.length,
      retried: r.sent.filter((e) => e.attempts > 1).length,
      alerts: alerts.length,
      noAlert: accepted.length - alerts.length,
    },
    latency: {
      p50: percentile(sortedFirst, 50),
      p99: percentile(sortedFirst, 99),
      max: sortedFirst.at(-1) ?? Number.NaN,
      beforeKillP50: percentile(sortedBefore, 50),
      beforeKillP99: percentile(sortedBefore, 99),
      afterKill: afterKill.map((xs) => {
        const sortedBin = sorted(xs);
        return {
          alerts: xs.length,
          p50: percentile(sortedBin, 50),
          p99: percentile(sortedBin, 99),
        };
      }),
      byWindowP99: byWindow.map((xs) => percentile(sorted(xs), 99)),
      liveP50: percentile(sortedLive, 50),
      liveP99: percentile(sortedLive, 99),
      liveDeliveries: sortedLive.length,
    },
    loss: {
      pairs,
      lostPairs,
      lostPairsOnKilled,
      alertsWithLoss,
      alertsNeverDelivered,
      recoveredPairs,
      unknown,
    },
    failover: {
      movedSockets,
      reconnected: moved.length,
      toSurvivor,
      reconnectP50: percentile(reconnectMs, 50),
      reconnectP99: percentile(reconnectMs, 99),
      reconnectMax: reconnectMs.at(-1) ?? Number.NaN,
      caughtUpP50: percentile(caughtUpMs, 50),
      caughtUpP99: percentile(caughtUpMs, 99),
      caughtUpMax: caughtUpMs.at(-1) ?? Number.NaN,
      caughtUpIn10s,
      catchUpAlerts,
      otherReconnects: others.length,
    },
    orders,
    exactlyOnce,
    memory,
    cpu,
    window,
  };
}

export function renderChainSection(r: ChainResult): string {
  const c = computeChain(r);
  const goal = (ok: boolean) => (ok ? 'meets goal' : '**misses goal**');
  const kept = r.swarmDone.connectedPerNode.reduce((a, b) => a + b, 0);
  const sockets = r.nodes.length;
  const f = c.failover;
  const o = c.orders;
  const failures = [...r.failures.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([why, k]) => `${why} × ${n(k)}`)
    .join('; ');
  const rows: [string, string, string][] = [
    [
      'sockets connected',
      `${n(r.connected)} / ${n(sockets)} in ${r.connectSeconds.toFixed(0)} s (${n(c.memory[0]!.sockets)} + ${n(c.memory[1]!.sockets)} per node)`,
      goal(r.connected === sockets),
    ],
    [
      'sockets kept (connected at the end)',
      `${n(kept)} / ${n(sockets)} (per node: ${r.swarmDone.connectedPerNode.map(n).join(' + ')}); reconnects not caused by the kill ${n(f.otherReconnects)}; still down ${n(r.swarmDone.stillDown)}`,
      goal(kept === sockets && f.otherReconnects === 0),
    ],
    [
      'presence events',
      `${n(c.presence.sent)} of ${n(r.rate * r.seconds)} sent (${n(r.unsent.presence)} never started: over 2,000 outstanding until ${r.graceSeconds} s past the burst), ${n(c.presence.accepted)} accepted (202), ${n(c.presence.failed)} not accepted after 5 tries, ${n(c.presence.retried)} retried; started > 100 ms late ${n(r.behind.presence)}; the last answer ${s1(r.burstSeconds * 1000)} after the start`,
      '',
    ],
    [
      'alerts lost (alert × terminal of its store, live or catch-up)',
      `${n(c.loss.lostPairs)} of ${n(c.loss.pairs)} (${n(c.loss.lostPairsOnKilled)} on the killed node's terminals); alerts missed by some terminal ${n(c.loss.alertsWithLoss)}, by all ${n(c.loss.alertsNeverDelivered)}; recovered by catch-up ${n(c.loss.recoveredPairs)}`,
      goal(c.loss.lostPairs === 0 && c.presence.failed === 0),
    ],
    [
      'alert latency, first terminal of the store (sent → `alert:new`)',
      `p50 ${ms(c.latency.p50)}, p99 ${ms(c.latency.p99)}, max ${ms(c.latency.max)} over ${n(c.presence.alerts)} alerts; p99 of those raised in each 5 s of the burst ${c.latency.byWindowP99.map(ms).join(' / ')}` +
        (r.kill
          ? `; before the kill p50 ${ms(c.latency.beforeKillP50)}, p99 ${ms(c.latency.beforeKillP99)}; raised 0–5 / 5–10 / 10 s– after it: ${c.latency.afterKill.map((b) => `p99 ${ms(b.p99)} (${n(b.alerts)})`).join(' / ')}`
          : ''),
      `p99 ≤ 250 ms: ${goal(c.latency.p99 <= 250)}`,
    ],
    [
      'every terminal of the store (its first delivery of each alert, where that came live)',
      `p50 ${ms(c.latency.liveP50)}, p99 ${ms(c.latency.liveP99)} over ${n(c.latency.liveDeliveries)} deliveries`,
      '',
    ],
    [
      `feed hints delivered from the burst on (a terminal pulls that feed on each; ${r.swarmDone.pulls.customers.pulls + r.swarmDone.pulls.catalog.pulls > 0 ? 'so do these sockets, --pull-feeds' : 'these sockets only count them'})`,
      `customers:changed ${n(r.swarmDone.hints.customers)} (${(r.swarmDone.hints.customers / Math.max(1, c.latency.liveDeliveries)).toFixed(2)} per live alert delivery), catalog:changed ${n(r.swarmDone.hints.catalog)}`,
      '',
    ],
    ...(['customers', 'catalog'] as const)
      .filter((feed) => r.swarmDone.pulls[feed].pulls > 0)
      .map((feed): [string, string, string] => {
        const p = r.swarmDone.pulls[feed];
        const pages = sortedMs(p.pageMs);
        return [
          `${feed === 'customers' ? 'customer' : 'catalog'}-feed pulls the hints caused (--pull-feeds: one at a time per terminal, hints during a pull fold into one more)`,
          `${n(p.pulls)} pulls, ${n(p.pages)} pages, ${n(p.rows)} rows, ${n(p.failed)} failed; a page p50 ${ms(percentile(pages, 50))}, p99 ${ms(percentile(pages, 99))}`,
          '',
        ];
      }),
    [
      'orders exactly once',
      `${n(o.generated)} of ${n(r.ordersRate * r.seconds)} made (${n(r.unsent.orders)} never started); acknowledged ${n(o.accepted)} accepted + ${n(o.duplicate)} duplicate, ${n(o.rejected)} rejected, ${n(o.unacknowledged)} unacknowledged; ${n(o.retried)} resent under the same id; rows in the database ${n(o.rows)} (${n(o.distinctRows)} distinct ids, ${n(o.rowsTotal)} in all); acknowledged but missing ${n(o.ackedNotStored)}, stored but never acknowledged ${n(o.storedNotAcked)}`,
      goal(c.exactlyOnce && o.unacknowledged === 0 && o.rejected === 0),
    ],
  ];
  if (r.kill)
    rows.push(
      [
        `failover: hub ${r.kill.node + 1} SIGKILLed at ${r.kill.at} s`,
        `${n(f.reconnected)} / ${n(f.movedSockets)} of its sockets reconnected (${n(f.toSurvivor)} to the other node): p50 ${s1(f.reconnectP50)}, p99 ${s1(f.reconnectP99)}, max ${s1(f.reconnectMax)} after the kill`,
        '',
      ],
      [
        'failover: caught up (catch-up answered)',
        `${n(f.caughtUpIn10s)} / ${n(f.movedSockets)} within 10 s; p50 ${s1(f.caughtUpP50)}, p99 ${s1(f.caughtUpP99)}, max ${s1(f.caughtUpMax)}; ${n(f.catchUpAlerts)} alerts in their answers, ${n(r.swarmDone.catchUpFailures)} catch-ups failed`,
        goal(f.caughtUpIn10s === f.movedSockets && r.swarmDone.catchUpFailures === 0),
      ],
      [
        'failover: alerts the survivor re-sent its own terminals (a peer may have emitted them unpublished)',
        r.resentBySurvivor === null ? 'not in its log' : n(r.resentBySurvivor),
        '',
      ],
    );
  for (const [i, m] of c.memory.entries())
    rows.push([
      `memory, hub ${i + 1}: JS heap + external after a full collection (heap-probe.mjs)`,
      m.heapSetUp === null || m.heapConnected === null
        ? 'no answer from the probe'
        : `${mib(m.heapSetUp)} after setup, ${mib(m.heapConnected)} with its ${n(m.sockets)} sockets = **${kib((m.heapConnected - m.heapSetUp) / m.sockets)} per socket**`,
      '',
    ]);
  for (const [i, m] of c.memory.entries())
    rows.push([
      `memory, hub ${i + 1} (RSS)`,
      `${mib(m.empty)} started, ${mib(m.setUp)} after setup, ${mib(m.connected)} with its ${n(m.sockets)} sockets = **${m.perSocket > 0 ? kib(m.perSocket) : 'n/a (a GC between the readings returned setup garbage)'} per socket**; ${r.kill?.node === i ? `${mib(m.atKill)} at the kill` : `${mib(m.end)} at the end${r.kill ? ` (holding all ${n(r.swarmDone.connectedPerNode[i] ?? 0)})` : ''}`}`,
      '',
    ]);
  rows.push(
    [
      `memory, socket ${children(r)} (RSS)`,
      `${mib(r.memory.swarmRss)} for ${n(r.connected)} socket.io clients (${kib(r.memory.swarmRss / r.connected)} each, the baseline included)`,
      '',
    ],
    [
      `CPU, cores used (of 2) at rest: the ${n(r.connected)} sockets connected, nothing sent (${r.cpu.atRest.seconds.toFixed(0)} s before the burst)`,
      `${r.cpu.probes.map((name) => `${name} ${((r.cpu.atRest.cpu.get(name) ?? Number.NaN) / r.cpu.atRest.seconds).toFixed(2)}`).join('; ')}; whole machine ${r.cpu.atRest.machineBusy.toFixed(2)}`,
      '',
    ],
    [
      'CPU, cores used (of 2) over the burst',
      `${c.cpu.map((x) => `${x.name} ${x.cores.toFixed(2)}${x.dead ? ' (until killed)' : ''}`).join('; ')}; whole machine ${r.machineBusy.toFixed(2)} (window ${c.window.toFixed(0)} s)`,
      '',
    ],
    [
      'load generator',
      `event-loop delay p99: sender ${ms(r.generatorLagP99)}, socket ${children(r)} ${ms(r.swarmDone.loopDelayP99)}${r.socketChildren > 1 ? ' (the worst)' : ''}; orders behind schedule by > 100 ms ${n(r.behind.orders)}`,
      '',
    ],
  );
  const ls = r.lockSamples;
  const mean = (f: (x: LockSample) => number) =>
    ls.length === 0 ? Number.NaN : ls.reduce((a, x) => a + f(x), 0) / ls.length;
  const max = (f: (x: LockSample) => number) => Math.max(0, ...ls.map(f));
  rows.push([
    'PostgreSQL backends of the bench database (every 2 s, mean / max)',
    `waiting on an advisory lock ${mean((x) => x.advisoryWaits).toFixed(1)} / ${max((x) => x.advisoryWaits)}; idle in a transaction (waiting for their hub) ${mean((x) => x.idleInTransaction).toFixed(1)} / ${max((x) => x.idleInTransaction)}; running ${mean((x) => x.running).toFixed(1)} / ${max((x) => x.running)} (${ls.length} samples)`,
    '',
  ]);
  if (failures) rows.push(['failed requests (before retries)', failures, '']);
  rows.push([
    'connections dropped by the kernel (accept queue full; the client retries its SYN after 1, 3, 7, 15 s)',
    `${n(r.listenDrops.connect)} while the ${n(sockets)} sockets connected; ${n(r.listenDrops.burst)} over the burst`,
    '',
  ]);

  return `## Chain: two nodes, ${n(sockets)} terminals, the 11.11 burst

Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC with

    ${r.command}

Machine: ${r.machine}. \`uptime\` at the start: \`${r.uptime}\`.
Setup: two hub processes (\`server/main.ts\`) on a fresh PostgreSQL database (\`${r.database}\`, dropped
afterwards) and the machine's Redis (\`${r.redis}\`); ${n(r.stores)} stores with ${r.perStore} terminals each,
made through the admin API in ${r.setupSeconds.toFixed(0)} s (${n(r.selling)} of them with a guide and stock, the ones
that sell). Burst: ${n(r.rate)} presence events/s (each a different member, at a store not her home store, so each raises an alert and
brings her into that store's scope)
and ${n(r.ordersRate)} one-order uploads/s for ${r.seconds} s, sent round robin / sticky to the two nodes${r.warmUp.seconds > 0 ? `, after a warm-up of ${r.warmUp.seconds} s at ${n(r.warmUp.rate)} presence events/s and ${n(r.warmUp.ordersRate)} orders/s on other members, not counted (the evening before midnight; \`--warm-up 0\`: the burst hits hubs that have served no arrival)` : ' (no warm-up: the hubs had served no arrival before)'}.
The hubs serve the ${r.feedScope === 'store' ? "store-scoped customer feed (the hub's default)" : 'chain customer feed (`HUB_CUSTOMER_FEED_SCOPE=chain`)'}; the sockets are held by ${r.socketChildren} child process${r.socketChildren > 1 ? 'es' : ''}.
${r.trail ? "Every member has an online trail (`--trail`: viewed, carted, wish-listed), so each arrival's card reads its items' stock." : 'The members have no online trail (`--trail` gives them one): the cards read no stock.'}

| figure | value | goal |
| --- | --- | --- |
${rows.map((row) => `| ${row.join(' | ')} |`).join('\n')}
`;
}
