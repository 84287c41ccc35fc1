import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUTH_FAILURES_PER_ADDRESS,
  AUTH_FAILURES_PER_CREDENTIAL,
} from '../../server/http/throttle';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { endpoints, type EndpointDef } from '../../shared/protocol';
import { callRoute } from '../support/api';
import { rawCall, routePath } from '../support/http';
import {
  removeDataDir,
  startHub,
  TEST_INTEGRATION_KEY,
  type HubProcess,
} from '../support/hub-process';
import { privateRedisServer, type RedisServer } from '../support/redis-server';
import { connected, connectTerminal, openTerminalSocket } from '../support/terminal-socket';

/**
 * Abuse resistance: credentials are checked before a body is read, failed authentication is
 * throttled per client address and per credential (429 with Retry-After), bodies are limited per
 * route, and a terminal's traffic has a ceiling. All traffic comes from 127.0.0.1, so the address
 * limit trips for everyone here: credentials that verified before keep working through it, a
 * credential never seen waits for the window (see docs/reliability.md, "Abuse resistance").
 * Throughput under a flood is a benchmark (`npm run bench:abuse`), not asserted here.
 */

type ErrorReply = { error: { code: string; details?: { retryAfterSeconds?: number } } };

/** A JSON body of `bytes` that no parser would accept: only what reads it would notice. */
const junk = (bytes: number) => '['.repeat(bytes);

/** Raw on purpose: hostile bodies and headers around the typed client. */
async function raw(
  hub: HubProcess,
  endpoint: EndpointDef,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; retryAfter: string | null; body: ErrorReply }> {
  const response = await fetch(`${hub.url}${routePath(endpoint)}`, {
    method: endpoint.method,
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await response.text();
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (text ? JSON.parse(text) : {}) as ErrorReply,
  };
}

const newTerminal = async (hub: HubProcess, storeId: string, name: string) =>
  (await callRoute(hub, endpoints.adminCreateTerminal, { body: { storeId, name } })).body;

describe('abuse resistance (PGlite, counters in memory)', () => {
  let hub: HubProcess;
  let store: StoreFixture;
  beforeAll(async () => {
    hub = await startHub({ env: { HUB_TERMINAL_CALLS_PER_MIN: '40' } });
    store = await createStoreFixture(hub);
  });
  afterAll(async () => {
    await hub?.kill();
    if (hub) removeDataDir(hub);
  });

  it('refuses a 2 MiB body without credentials before reading it (401, not 413 or 400)', async () => {
    // Over every body limit and not JSON: had the hub read or parsed it, the answer would be 413.
    const orders = await raw(hub, endpoints.postOrders, junk(2 * 1_048_576));
    expect(orders.status).toBe(401);
    expect(orders.body.error.code).toBe('unauthorized');
    const crm = await raw(hub, endpoints.importCustomers, junk(2 * 1_048_576), {
      'x-integration-key': 'not-the-key-0123456789',
    });
    expect(crm.status).toBe(401);
  });

  it('limits bodies per route: 413 over 64 KiB for a registration, batches up to 1 MiB', async () => {
    const token = store.terminals[0]!.token;
    const auth = { authorization: `Bearer ${token}` };
    const registration = await raw(hub, endpoints.registerCustomer, junk(100 * 1024), auth);
    expect(registration.status).toBe(413);
    expect(registration.body.error.code).toBe('payload_too_large');
    // 900 KiB of valid JSON on the orders route is read and parsed (then refused by the schema).
    const big = JSON.stringify({ orders: [], padding: 'x'.repeat(900 * 1024) });
    const orders = await raw(hub, endpoints.postOrders, big, auth);
    expect(orders.status).toBe(400);
    expect(orders.body.error.code).toBe('invalid_input');
    expect((await raw(hub, endpoints.postOrders, junk(1_100_000), auth)).status).toBe(413);
  });

  it("puts a ceiling on one terminal's calls without touching the others", async () => {
    const busy = await newTerminal(hub, store.storeId, 'Runaway');
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++)
      statuses.push(
        (await callRoute(hub, endpoints.terminalInfo, {}, { token: busy.token })).status,
      );
    expect(statuses.slice(0, 40).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(40).every((s) => s === 429)).toBe(true);
    const limited = await callRoute(hub, endpoints.terminalInfo, {}, { token: busy.token });
    expect(limited.error?.code).toBe('rate_limited');
    const other = await callRoute(
      hub,
      endpoints.terminalInfo,
      {},
      { token: store.terminals[1]!.token },
    );
    expect(other.status).toBe(200);
  });

  it('answers 429 with Retry-After to a repeated wrong key, then to 300 wrong tokens from one address', async () => {
    // Trusted before the flood: one successful call each.
    const known = store.terminals[0]!.token;
    expect((await callRoute(hub, endpoints.terminalInfo, {}, { token: known })).status).toBe(200);
    const fresh = await newTerminal(hub, store.storeId, 'Never used yet');

    const sameKey: number[] = [];
    for (let i = 0; i < 15; i++)
      sameKey.push(
        // a credential probe with an empty body: raw on purpose
        (
          await rawCall(
            hub,
            'POST',
            routePath(endpoints.presence),
            {},
            {
              integration: 'wrong-integration-key-0123456789',
            },
          )
        ).status,
      );
    expect(sameKey).toEqual([
      ...Array<number>(AUTH_FAILURES_PER_CREDENTIAL).fill(401),
      ...Array<number>(15 - AUTH_FAILURES_PER_CREDENTIAL).fill(429),
    ]);

    const answers: { status: number; retryAfter: string | null; code: string }[] = [];
    for (let i = 0; i < 300; i++) {
      // raw: guessed tokens, and the Retry-After header is read
      const r = await fetch(`${hub.url}${routePath(endpoints.terminalInfo)}`, {
        headers: { authorization: `Bearer sgt_guess${i}abcdefghijklmnopqrstuvwxyz` },
      });
      const body = (await r.json()) as ErrorReply;
      answers.push({
        status: r.status,
        retryAfter: r.headers.get('retry-after'),
        code: body.error.code,
      });
    }
    // Failures so far count against the address too: the two unauthenticated bodies of the first
    // test and the repeated key's ten.
    const unauthorized = AUTH_FAILURES_PER_ADDRESS - 2 - AUTH_FAILURES_PER_CREDENTIAL;
    expect(answers.slice(0, unauthorized).every((a) => a.status === 401)).toBe(true);
    const limited = answers.slice(unauthorized);
    expect(limited).toHaveLength(300 - unauthorized);
    for (const a of limited) {
      expect(a.status).toBe(429);
      expect(a.code).toBe('rate_limited');
      expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(a.retryAfter)).toBeLessThanOrEqual(60);
    }

    // 300 wrong admin keys: refused with 429 too, and the real admin key still works.
    let adminLimited = 0;
    for (let i = 0; i < 300; i++) {
      const r = await callRoute(
        hub,
        endpoints.adminListStores,
        {},
        { adminKey: `wrong-admin-key-${i}-0123456789` },
      );
      if (r.status === 429) adminLimited++;
    }
    expect(adminLimited).toBe(300);
    expect((await callRoute(hub, endpoints.adminListStores, {})).status).toBe(200);

    // The terminal that worked before keeps working; a token never verified waits for the window.
    expect((await callRoute(hub, endpoints.terminalInfo, {}, { token: known })).status).toBe(200);
    const waiting = await callRoute(hub, endpoints.terminalInfo, {}, { token: fresh.token });
    expect(waiting.status).toBe(429);

    // Socket handshakes: the same rules.
    const guessing = openTerminalSocket(hub, 'sgt_socket_guess_abcdefghijklmnopqrstuv');
    await expect(connected(guessing)).rejects.toThrow('rate_limited');
    guessing.close();
    const socket = await connectTerminal(hub, known);
    expect(socket.connected).toBe(true);
    socket.close();
  });
});

describe('the integration key’s ceiling (HUB_INTEGRATION_CALLS_PER_MIN)', () => {
  const LIMIT = 20;
  let hub: HubProcess;
  let store: StoreFixture;
  beforeAll(async () => {
    hub = await startHub({ env: { HUB_INTEGRATION_CALLS_PER_MIN: String(LIMIT) } });
    store = await createStoreFixture(hub);
  });
  afterAll(async () => {
    await hub?.kill();
    if (hub) removeDataDir(hub);
  });

  it('answers the call past the configured figure 429 with Retry-After, other keys untouched', async () => {
    // One counter for every system on the key: the CRM import below is call 1 of the 20.
    const imported = await callRoute(hub, endpoints.importCustomers, {
      body: { customers: [{ crmId: 'crm-limit-1', name: '限流测试', memberCode: 'LIMIT0001' }] },
    });
    expect(imported.body.results[0]?.status).toBe('accepted');
    const sighting = JSON.stringify({
      customer: { memberCode: 'LIMIT0001' },
      storeId: store.storeId,
      source: 'wifi',
    });
    const key = { 'x-integration-key': TEST_INTEGRATION_KEY };
    const answers: Awaited<ReturnType<typeof raw>>[] = [];
    // raw: the Retry-After header is read
    for (let i = 0; i < LIMIT + 4; i++)
      answers.push(await raw(hub, endpoints.presence, sighting, key));
    expect(answers.slice(0, LIMIT - 1).map((a) => a.status)).toEqual(
      Array<number>(LIMIT - 1).fill(202),
    );
    const limited = answers.slice(LIMIT - 1);
    expect(limited).toHaveLength(5);
    for (const a of limited) {
      expect(a.status).toBe(429);
      expect(a.body.error.code).toBe('rate_limited');
      expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(a.retryAfter)).toBeLessThanOrEqual(60);
      expect(a.body.error.details?.retryAfterSeconds).toBe(Number(a.retryAfter));
    }
    // The key's ceiling is its own: terminals and the admin key go on as before.
    const terminal = await callRoute(
      hub,
      endpoints.terminalInfo,
      {},
      { token: store.terminals[0]!.token },
    );
    expect(terminal.status).toBe(200);
    expect((await callRoute(hub, endpoints.adminListStores, {})).status).toBe(200);
  });
});

describe('abuse resistance (two nodes, counters shared through Redis)', () => {
  let redis: RedisServer;
  const hubs: HubProcess[] = [];
  beforeAll(async () => {
    redis = await privateRedisServer();
    // started together: this file runs alone (vitest.config.ts), a hub start leaves a core idle
    hubs.push(
      ...(await Promise.all([
        startHub({ redisUrl: redis.url }),
        startHub({ redisUrl: redis.url }),
      ])),
    );
  });
  afterAll(async () => {
    for (const hub of hubs) {
      await hub.kill();
      removeDataDir(hub);
    }
    await redis?.stop('SIGKILL');
  });

  it('counts failures from one address across both nodes', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const hub = hubs[i % 2]!;
      statuses.push(
        (
          await callRoute(
            hub,
            endpoints.adminListStores,
            {},
            { adminKey: `wrong-${i}-0123456789abcdef` },
          )
        ).status,
      );
    }
    // Each node alone has seen only 20 failures: sharing is what trips the limit at 20.
    expect(statuses.slice(0, AUTH_FAILURES_PER_ADDRESS).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(AUTH_FAILURES_PER_ADDRESS).every((s) => s === 429)).toBe(true);
  });

  it('lets requests through unthrottled while Redis is down, instead of refusing or hanging', async () => {
    await redis.stop('SIGKILL');
    const hub = hubs[0]!;
    // The address is over its limit, but the counters cannot be read: a wrong key gets a plain
    // 401 and the right one its answer.
    const wrong = await callRoute(
      hub,
      endpoints.adminListStores,
      {},
      { adminKey: 'wrong-during-outage-0123456789' },
    );
    expect(wrong.status).toBe(401);
    expect((await callRoute(hub, endpoints.adminListStores, {})).status).toBe(200);
    expect(hub.proc.exitCode).toBeNull();
  });
});
