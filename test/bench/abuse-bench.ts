import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { API_PREFIX, endpointPath, endpoints } from '../../shared/protocol';
import { createStoreFixture } from '../support/fixtures';
import { removeDataDir, startHub } from '../support/hub-process';

/**
 * `npm run bench:abuse`: a flood of 1 MiB nested-JSON bodies without credentials against
 * `POST /api/v1/orders`, from one child process, while a legitimate terminal calls
 * `GET /api/v1/terminal` 20 times a second and records its latency. Prints the quiet median, the
 * flooded median and their ratio (target ≤ 3×; issue 12 measured 2 ms → 204 ms before credentials
 * were checked ahead of the body). It measures, it does not assert. Loopback only, bounded in time.
 *
 *   npm run bench:abuse -- [--seconds 5] [--connections 8]
 */

const FLOOD_FLAG = '--flood-child';

/** `{"a":[[[[…]]]]}` of about 1 MiB: what an attacker sends to make a parser work. */
function nestedBody(bytes = 1_048_576): Buffer {
  const depth = Math.floor((bytes - 8) / 2);
  return Buffer.from(`{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`);
}

/** The flood: `connections` loops posting the body until `seconds` pass; prints counts as JSON. */
async function flood(url: string, seconds: number, connections: number): Promise<void> {
  const body = nestedBody();
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  // Raw on purpose: unauthenticated 1 MiB bodies the typed client would never send.
  const target = new URL(`${API_PREFIX}${endpointPath(endpoints.postOrders)}`, url);
  const until = Date.now() + seconds * 1000;
  const statuses: Record<string, number> = {};
  let sent = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      const req = request(
        target,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': body.length },
        },
        (res) => {
          statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
          res.resume();
          res.on('end', () => resolve());
          res.on('error', () => resolve());
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        statuses[error.code ?? 'error'] = (statuses[error.code ?? 'error'] ?? 0) + 1;
        resolve();
      });
      req.end(body);
      sent++;
    });
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < until) await one();
    }),
  );
  agent.destroy();
  console.log(JSON.stringify({ sent, statuses, mib: sent }));
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)]!;
};
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))]!;
};

/** Calls the terminal route every 50 ms for `seconds`; returns each call's latency in ms. */
async function sample(url: string, token: string, seconds: number): Promise<number[]> {
  const latencies: number[] = [];
  const until = Date.now() + seconds * 1000;
  // Raw on purpose: the figure is the HTTP round trip; the client's answer validation would add to it.
  const terminalUrl = `${url}${API_PREFIX}${endpointPath(endpoints.terminalInfo)}`;
  while (Date.now() < until) {
    const started = performance.now();
    const response = await fetch(terminalUrl, {
      headers: { authorization: `Bearer ${token}` },
    });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`legitimate call answered ${response.status}`);
    latencies.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, 50));
  }
  return latencies;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '5' },
      connections: { type: 'string', default: '8' },
      'flood-child': { type: 'string' },
    },
  });
  const seconds = Number(values.seconds);
  const connections = Number(values.connections);
  if (values['flood-child']) return flood(values['flood-child'], seconds, connections);

  const hub = await startHub();
  try {
    const store = await createStoreFixture(hub);
    const token = store.terminals[0]!.token;
    await sample(hub.url, token, 1); // warm-up (JIT, connection)
    const quiet = await sample(hub.url, token, seconds);

    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        import.meta.filename,
        FLOOD_FLAG,
        hub.url,
        '--seconds',
        String(seconds),
        '--connections',
        String(connections),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let childOut = '';
    child.stdout.on('data', (c: Buffer) => (childOut += c.toString()));
    const childDone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await new Promise((r) => setTimeout(r, 500)); // let the flood start (tsx boot)
    const flooded = await sample(hub.url, token, seconds - 0.5);
    await childDone;
    const floodStats = JSON.parse(childOut.trim().split('\n').pop() ?? '{}') as {
      sent: number;
      statuses: Record<string, number>;
    };

    const q = median(quiet);
    const f = median(flooded);
    const row = (name: string, xs: number[]) =>
      `${name.padEnd(8)} n=${String(xs.length).padStart(3)}  median ${median(xs).toFixed(2)} ms  p90 ${percentile(xs, 0.9).toFixed(2)} ms  max ${Math.max(...xs).toFixed(2)} ms`;
    console.log(
      `abuse bench — ${new Date().toISOString()}, ${cpus().length} cores, load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' / ')}`,
    );
    console.log(
      `flood: ${floodStats.sent} × 1 MiB nested JSON without credentials in ${seconds} s over ${connections} connections; answers ${JSON.stringify(floodStats.statuses)}`,
    );
    console.log(row('quiet', quiet));
    console.log(row('flooded', flooded));
    console.log(`ratio flooded/quiet median: ${(f / q).toFixed(2)}× (target ≤ 3×)`);
  } finally {
    await hub.kill();
    removeDataDir(hub);
  }
}

await main();
