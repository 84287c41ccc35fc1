import { parseArgs } from 'node:util';
import { createApiClient, type ApiResult } from '../../shared/api-client';
import { endpoints } from '../../shared/protocol';
import { pathToFileURL } from 'node:url';
import { Faker, base, en, zh_CN } from '@faker-js/faker';
import { z } from 'zod';
import { uuid, type PresenceSource } from '../../shared/protocol';
import { loadConfig } from '../config';
import { credentialsPath, readCredentials, type DemoCredentials } from './credentials';

const USAGE = `Usage: npm run hub:simulate -- --store <store id> [--rate <arrivals/min>] [--duration <s>]
                            [--url <hub url>] [--key <integration key>] [--credentials <file>]

Plays shoppers walking into a store against a running hub, so you can watch arrival alerts
arrive on a terminal: door-counter footfall for every arrival and, for most, a presence sighting
(Wi-Fi, geofence, QR, beacon or app) of a sample member from demo-credentials.json; some are
strangers the hub does not know (no alert). Stops after --duration seconds or on Ctrl-C.

  --store        store id (see demo-credentials.json); default: the first store
  --rate         arrivals per minute (default 20, max 6000)
  --duration     seconds to run (default 300)
  --url          hub URL (default: hubUrl from the credentials file); loopback only unless
                 --allow-remote
  --key          integration key (default: integrationKey from the credentials file)
  --credentials  path to demo-credentials.json (default: <HUB_DATA_DIR>/demo-credentials.json)`;

const SOURCES: readonly { weight: number; value: PresenceSource }[] = [
  { weight: 40, value: 'wifi' },
  { weight: 20, value: 'geofence' },
  { weight: 15, value: 'qr' },
  { weight: 15, value: 'beacon' },
  { weight: 10, value: 'app' },
];
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

const options = z.object({
  store: uuid.optional(),
  rate: z.coerce.number().positive().max(6000).default(20),
  duration: z.coerce.number().positive().max(86_400).default(300),
  url: z.url().optional(),
  key: z.string().min(8).optional(),
  credentials: z.string().optional(),
  'allow-remote': z.boolean().default(false),
});

/** `npm run hub:simulate`: returns the exit code. */
export async function runSimulateCli(argv: readonly string[], env = process.env): Promise<number> {
  let raw;
  try {
    raw = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        store: { type: 'string' },
        rate: { type: 'string' },
        duration: { type: 'string' },
        url: { type: 'string' },
        key: { type: 'string' },
        credentials: { type: 'string' },
        'allow-remote': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    console.error(`hub:simulate: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (raw.help) {
    console.log(USAGE);
    return 0;
  }
  const parsed = options.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `  --${String(i.path[0])}: ${i.message}`);
    console.error(`hub:simulate: invalid arguments:\n${issues.join('\n')}`);
    return 2;
  }
  const opts = parsed.data;
  const file = opts.credentials ?? credentialsPath(loadConfig(env).dataDir);
  const creds = readCredentials(file);
  if (!creds && (!opts.url || !opts.key || !opts.store)) {
    console.error(
      `hub:simulate: no demo credentials at ${file}: run npm run hub:seed first, or pass --url, --key and --store`,
    );
    return 1;
  }
  const url = new URL(opts.url ?? creds!.hubUrl);
  if (!LOOPBACK.has(url.hostname) && !opts['allow-remote']) {
    console.error(
      `hub:simulate: ${url.origin} is not this machine; pass --allow-remote to send demo traffic there`,
    );
    return 2;
  }
  const storeId = opts.store ?? creds!.stores[0]!.id;
  const store = creds?.stores.find((s) => s.id === storeId);
  if (creds && !store) {
    console.error(
      `hub:simulate: store ${storeId} is not in ${file}; stores: ${creds.stores.map((s) => `${s.id} (${s.name})`).join(', ')}`,
    );
    return 2;
  }
  return simulate({
    origin: url.origin,
    key: opts.key ?? creds!.integrationKey,
    storeId,
    storeName: store?.name ?? storeId,
    creds,
    rate: opts.rate,
    durationMs: opts.duration * 1000,
  });
}

type Plan = {
  origin: string;
  key: string;
  storeId: string;
  storeName: string;
  creds: DemoCredentials | null;
  rate: number;
  durationMs: number;
};

async function simulate(plan: Plan): Promise<number> {
  const faker = new Faker({ locale: [zh_CN, en, base] });
  const all = plan.creds?.sampleCustomers ?? [];
  const regulars = all.filter((c) => c.homeStoreId === plan.storeId);
  const api = createApiClient({
    baseUrl: plan.origin,
    credentials: { integration: () => plan.key },
  });
  /** A call the hub could not be reached for ends the run, like before. */
  const reached = async <T>(result: Promise<ApiResult<T>>) => {
    const settled = await result;
    if (!settled.ok && settled.error.status === undefined) throw new Error(settled.error.message);
    return settled;
  };

  console.log(
    `Simulating ${plan.rate} arrivals/min at ${plan.storeName} via ${plan.origin} for ${plan.durationMs / 1000} s (Ctrl-C stops)`,
  );
  const counts = { arrivals: 0, alerts: 0, anonymous: 0, errors: 0 };
  // A repeat sighting within the visit window answers with the visit's existing alert.
  const alerted = new Set<string>();
  let stop = false;
  const onSignal = () => {
    stop = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = Date.now();
  const interval = 60_000 / plan.rate;
  try {
    for (let n = 0; !stop && Date.now() - started < plan.durationMs; n++) {
      const at = new Date().toISOString();
      const time = at.slice(11, 19);
      const people = faker.helpers.weightedArrayElement([
        { weight: 70, value: 1 },
        { weight: 25, value: 2 },
        { weight: 5, value: 3 },
      ]);
      const footfall = await reached(
        api.call(endpoints.footfall, { body: { storeId: plan.storeId, at, count: people } }),
      );
      if (!footfall.ok && footfall.error.code === 'unauthorized') {
        console.error('hub:simulate: the hub rejected the integration key (401)');
        return 1;
      }
      if (!footfall.ok) counts.errors += 1;
      counts.arrivals += 1;

      // Most shoppers carry a phone the hub can see; a few are strangers to the CRM.
      const known = (regulars.length > 0 || all.length > 0) && faker.datatype.boolean(0.8);
      const source = faker.helpers.weightedArrayElement(SOURCES);
      if (known) {
        const c = faker.helpers.arrayElement(
          regulars.length > 0 && faker.datatype.boolean(0.85) ? regulars : all,
        );
        const customer = faker.helpers.arrayElement([
          { memberCode: c.memberCode },
          { phone: c.phone },
          { customerId: c.id },
        ]);
        const r = await reached(
          api.call(endpoints.presence, { body: { customer, storeId: plan.storeId, source, at } }),
        );
        const alertId = r.ok ? r.value.alertId : null;
        if (!r.ok) {
          counts.errors += 1;
          console.log(
            `${time}  ${source.padEnd(8)} ${c.name}: HTTP ${r.error.status} ${r.error.reason ?? ''} ${r.error.message}`,
          );
        } else if (alertId && !alerted.has(alertId)) {
          alerted.add(alertId);
          counts.alerts += 1;
          console.log(
            `${time}  ${source.padEnd(8)} ${c.name} (${c.memberCode}) → alert ${alertId}`,
          );
        } else {
          console.log(
            `${time}  ${source.padEnd(8)} ${c.name} seen again (same visit, no new alert)`,
          );
        }
      } else if (faker.datatype.boolean(0.5)) {
        counts.anonymous += 1;
        const phone = `170${faker.string.numeric(8)}`;
        const r = await reached(
          api.call(endpoints.presence, {
            body: { customer: { phone }, storeId: plan.storeId, source, at },
          }),
        );
        if (!r.ok) counts.errors += 1;
        console.log(`${time}  ${source.padEnd(8)} unknown shopper (not a member, no alert)`);
      } else {
        console.log(`${time}  door     ${people} walk-in${people > 1 ? 's' : ''}`);
      }
      const wait = started + (n + 1) * interval - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  } catch (error) {
    console.error(
      `hub:simulate: cannot reach the hub at ${plan.origin}: ${(error as Error).message}`,
    );
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  console.log(
    `Done: ${counts.arrivals} arrivals, ${counts.alerts} alerts, ${counts.anonymous} unknown shoppers, ${counts.errors} errors`,
  );
  return counts.errors > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await runSimulateCli(process.argv.slice(2));
}
