import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  endpoints,
  type AlertUpdate,
  type ArrivalAlert,
  type ClaimAck,
} from '../../shared/protocol';
import { callRoute } from '../support/api';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { removeDataDir, startHub, type HubProcess } from '../support/hub-process';
import {
  connectTerminal,
  eventsOf,
  received,
  type TerminalClient,
} from '../support/terminal-socket';
import {
  TEST_REDIS_URL,
  assertRedisReachable,
  freshPostgresDatabase,
  postgresAndRedis,
} from '../support/services';

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

const claim = (socket: TerminalClient, alertId: string, guideId: string) =>
  socket.timeout(10_000).emitWithAck('alert:claim', { alertId, guideId }) as Promise<ClaimAck>;

/**
 * Each suite's hubs get a prefix of their own (HUB_REDIS_PREFIX): Redis pub/sub is one space for
 * the whole server, so hubs of other suites or of a bench on the machine's Redis would otherwise
 * hear (and add load to) these, and these theirs.
 */
const RUN = `sgtest-${process.pid}-${Date.now()}`;

let seq = 0;
/** Imports a new member through `hub` and reports them at the store's door there: the alert id. */
async function arrive(hub: HubProcess, storeId: string, at?: string): Promise<string> {
  seq += 1;
  const n = `${Date.now() % 100000}${seq}`.padStart(7, '0').slice(-7);
  const memberCode = `MN${n}${seq}`;
  const seeded = await callRoute(hub, endpoints.importCustomers, {
    body: { customers: [{ crmId: `crm-mn-${n}-${seq}`, name: `多节点${seq}`, memberCode }] },
  });
  expect(seeded.body.results[0]?.status).toBe('accepted');
  const r = await callRoute(hub, endpoints.presence, {
    body: { customer: { memberCode }, storeId, source: 'beacon', ...(at && { at }) },
  });
  expect(r.status).toBe(202);
  return r.body.alertId!;
}

/** Imports a member of `homeStoreId` through `hub`: their member code. */
async function importMember(hub: HubProcess, homeStoreId: string): Promise<string> {
  seq += 1;
  const n = `${Date.now() % 100000}${seq}`.padStart(7, '0').slice(-7);
  const memberCode = `MH${n}${seq}`;
  const r = await callRoute(hub, endpoints.importCustomers, {
    body: {
      customers: [{ crmId: `crm-mh-${n}-${seq}`, name: `会员${seq}`, memberCode, homeStoreId }],
    },
  });
  expect(r.body.results[0]?.status).toBe('accepted');
  return memberCode;
}

/** An online view by the member (a change of their profile: `customers:changed`). */
async function viewOnline(hub: HubProcess, memberCode: string): Promise<void> {
  seq += 1;
  const r = await callRoute(hub, endpoints.onlineEvents, {
    body: {
      events: [
        {
          id: `ev-mh-${Date.now()}-${seq}`,
          customer: { memberCode },
          type: 'viewed',
          // a product not viewed before: a change of the profile every time
          sku: `SKU-MH-${seq}`,
          channel: 'app',
          at: new Date().toISOString(),
        },
      ],
    },
  });
  expect(r.status).toBe(200);
}

// In CI the suite must run: missing variables fail it (in beforeAll) rather than skip it.
const { configured, enabled, reason } = postgresAndRedis;

/**
 * Two hub nodes on one PostgreSQL database, sharing socket.io rooms through Redis: a terminal
 * connected to either node sees every alert of its store, whichever node took the sighting.
 */
describe.skipIf(!enabled)(
  `two hub nodes with REDIS_URL ${configured ? '(on PostgreSQL with Redis)' : `(${reason})`}`,
  () => {
    let nodeA: HubProcess;
    let nodeB: HubProcess;
    let store: StoreFixture;
    let drop: (() => Promise<void>) | undefined;
    const sockets: TerminalClient[] = [];
    /** a sighting taken by node A */
    const arriveAtA = (at?: string) => arrive(nodeA, store.storeId, at);

    beforeAll(async () => {
      if (!configured) throw new Error(`CI is set but the multi-node suite cannot run: ${reason}`);
      // With CI set these throw, failing the suite loudly instead of skipping it.
      await assertRedisReachable();
      const database = await freshPostgresDatabase();
      drop = database.drop;
      const env = { HUB_EXPIRY_SWEEP_MS: '200', HUB_REDIS_PREFIX: `${RUN}-nodes` };
      // started together: this file runs alone (vitest.config.ts), a hub start leaves a core idle
      [nodeA, nodeB] = await Promise.all([
        startHub({ databaseUrl: database.url, redisUrl: TEST_REDIS_URL!, env }),
        startHub({ databaseUrl: database.url, redisUrl: TEST_REDIS_URL!, env }),
      ]);
      store = await createStoreFixture(nodeA);
    });
    afterAll(async () => {
      for (const s of sockets) s.close();
      for (const hub of [nodeA, nodeB]) {
        if (!hub) continue;
        await hub.kill();
        removeDataDir(hub);
      }
      await drop?.();
    });

    it('delivers an alert posted to node A to a terminal on node B, and a claim on B to A', async () => {
      const onA = await connectTerminal(nodeA, store.terminals[0]!.token);
      const onB = await connectTerminal(nodeB, store.terminals[1]!.token);
      sockets.push(onA, onB);

      const alertId = await arriveAtA();
      const alert = await received<ArrivalAlert>(onB, 'alert:new', (a) => a.alertId === alertId);
      expect(alert).toMatchObject({ storeId: store.storeId, status: 'open', source: 'beacon' });

      expect(await claim(onB, alertId, store.guide.id)).toEqual({ ok: true });
      const update = await received<AlertUpdate>(
        onA,
        'alert:updated',
        (u) => u.alertId === alertId,
      );
      expect(update).toMatchObject({
        status: 'claimed',
        claimedBy: { guideId: store.guide.id, name: store.guide.name },
      });
    });

    it('lets only one guide win when two nodes take claims for one customer at once', async () => {
      const onA = await connectTerminal(nodeA, store.terminals[0]!.token);
      const onB = await connectTerminal(nodeB, store.terminals[1]!.token);
      sockets.push(onA, onB);
      const alertId = await arriveAtA();
      await received<ArrivalAlert>(onB, 'alert:new', (a) => a.alertId === alertId);

      const acks = await Promise.all([
        claim(onA, alertId, store.guide.id),
        claim(onB, alertId, store.guide2.id),
      ]);
      expect(acks.filter((a) => a.ok)).toHaveLength(1);
      const winner = acks[0]!.ok ? store.guide : store.guide2;
      expect(acks.find((a) => !a.ok)).toMatchObject({
        error: { code: 'already_claimed', claimedBy: { guideId: winner.id, name: winner.name } },
      });
    });

    it('expires an unclaimed alert once, announced to terminals on both nodes', async () => {
      const onA = await connectTerminal(nodeA, store.terminals[0]!.token);
      const onB = await connectTerminal(nodeB, store.terminals[1]!.token);
      sockets.push(onA, onB);
      const alertId = await arriveAtA(minutesAgo(31));
      for (const s of [onA, onB]) {
        const u = await received<AlertUpdate>(s, 'alert:updated', (x) => x.alertId === alertId);
        expect(u.status).toBe('expired');
      }
      // A later event through the same rooms: any second expiry notice would have arrived first.
      const next = await arriveAtA();
      await received<ArrivalAlert>(onA, 'alert:new', (a) => a.alertId === next);
      await received<ArrivalAlert>(onB, 'alert:new', (a) => a.alertId === next);
      for (const s of [onA, onB]) {
        const notices = eventsOf<AlertUpdate>(s, 'alert:updated').filter(
          (u) => u.alertId === alertId,
        );
        expect(notices).toHaveLength(1);
      }
    });

    it('tells each terminal of a store once of a changed member, whichever node wrote it', async () => {
      // Stores of this test's own: the other tests' hints do not concern them.
      const [shanghai, beijing] = [
        await createStoreFixture(nodeA, { name: '静安' }),
        await createStoreFixture(nodeA, { name: '三里屯' }),
      ];
      const ofShanghai = await importMember(nodeA, shanghai.storeId);
      const ofBeijing = await importMember(nodeB, beijing.storeId);
      // Past the imports' own hints (at most one per 500 ms per node; a loaded timer fires late).
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const [shanghaiOnA, shanghaiOnB, beijingOnA, beijingOnB] = [
        await connectTerminal(nodeA, shanghai.terminals[0]!.token),
        await connectTerminal(nodeB, shanghai.terminals[1]!.token),
        await connectTerminal(nodeA, beijing.terminals[0]!.token),
        await connectTerminal(nodeB, beijing.terminals[1]!.token),
      ];
      sockets.push(shanghaiOnA, shanghaiOnB, beijingOnA, beijingOnB);
      const hints = (s: TerminalClient) => eventsOf<{ cursor: string }>(s, 'customers:changed');

      // 1. Shanghai's member changes through node A: both Shanghai terminals hear it, the one on
      //    node B from node B (node A announced its new head to it).
      await viewOnline(nodeA, ofShanghai);
      for (const s of [shanghaiOnA, shanghaiOnB]) await received(s, 'customers:changed');
      // 2. Beijing's member changes through node B, whose range since its own previous hint also
      //    holds step 1's change: Beijing hears it, Shanghai not a second time.
      await viewOnline(nodeB, ofBeijing);
      let step2 = 0n;
      for (const s of [beijingOnA, beijingOnB]) {
        const hint = await received<{ cursor: string }>(s, 'customers:changed');
        if (BigInt(hint.cursor) > step2) step2 = BigInt(hint.cursor);
      }
      // 3. Shanghai's member again, through node A: its hint, past step 2's cursor, comes after
      //    any hint of steps 1–2 on the same socket.
      await viewOnline(nodeA, ofShanghai);
      for (const s of [shanghaiOnA, shanghaiOnB])
        await received<{ cursor: string }>(s, 'customers:changed', (p) => BigInt(p.cursor) > step2);

      for (const s of [shanghaiOnA, shanghaiOnB]) expect(hints(s)).toHaveLength(2);
      for (const s of [beijingOnA, beijingOnB]) expect(hints(s)).toHaveLength(1);
    });
  },
);

/**
 * Two deployments (staging and production, or two chains) on one Redis server, two nodes each,
 * set apart only by HUB_REDIS_PREFIX: all four nodes share one database, so the same store and
 * terminals exist on every node and a leak could not hide behind store ids that differ.
 */
describe.skipIf(!enabled)(
  `deployments sharing one Redis, kept apart by HUB_REDIS_PREFIX ${configured ? '(on PostgreSQL with Redis)' : `(${reason})`}`,
  () => {
    const ONE = `${RUN}-one`;
    const TWO = `${RUN}-two`;
    /**
     * Redis database 11, this suite's own (multi-node above uses TEST_REDIS_URL's, bench:chain 13),
     * so its rate-limit keys can be read without other hubs' mixed in. Pub/sub ignores it.
     */
    const redisUrl = () => {
      const url = new URL(TEST_REDIS_URL!);
      url.pathname = '/11';
      return url.toString();
    };
    let one: [HubProcess, HubProcess];
    let two: [HubProcess, HubProcess];
    let store: StoreFixture;
    let drop: (() => Promise<void>) | undefined;
    const sockets: TerminalClient[] = [];

    beforeAll(async () => {
      if (!configured) throw new Error(`CI is set but the multi-node suite cannot run: ${reason}`);
      await assertRedisReachable();
      const database = await freshPostgresDatabase();
      drop = database.drop;
      const node = (prefix: string) =>
        startHub({
          databaseUrl: database.url,
          redisUrl: redisUrl(),
          env: { HUB_REDIS_PREFIX: prefix },
        });
      // The first runs the migrations.
      const first = await node(ONE);
      const [second, third, fourth] = await Promise.all([node(ONE), node(TWO), node(TWO)]);
      one = [first, second];
      two = [third, fourth];
      store = await createStoreFixture(first);
    });
    afterAll(async () => {
      for (const s of sockets) s.close();
      for (const hub of [...(one ?? []), ...(two ?? [])]) {
        await hub.kill();
        removeDataDir(hub);
      }
      await drop?.();
    });

    it('delivers a presence to the other node of its deployment and to no node of the other', async () => {
      const [a1, a2] = one;
      const [b1, b2] = two;
      const connect = async (hub: HubProcess, terminal: number) => {
        const socket = await connectTerminal(hub, store.terminals[terminal]!.token);
        sockets.push(socket);
        return socket;
      };
      // The store's two terminals, each with a socket on a node of either deployment.
      const tA1 = await connect(a1, 0);
      const tA2 = await connect(a2, 1);
      const tB1 = await connect(b1, 1);
      const tB2 = await connect(b2, 0);
      const aOf = (a: ArrivalAlert) => a.alertId;

      // Each sighting is taken by one node and must cross Redis to reach the other node of its
      // deployment. A node's subscriber gets messages in the order Redis took them, so when a
      // sighting of the node's own deployment has crossed, any other deployment's message published
      // before it would already have been delivered: no waiting for something not to happen.
      const atA1 = await arrive(a1, store.storeId);
      await received<ArrivalAlert>(tA2, 'alert:new', (a) => a.alertId === atA1);
      const atB1 = await arrive(b1, store.storeId);
      await received<ArrivalAlert>(tB2, 'alert:new', (a) => a.alertId === atB1);
      const atA2 = await arrive(a2, store.storeId);
      await received<ArrivalAlert>(tA1, 'alert:new', (a) => a.alertId === atA2);
      const atB2 = await arrive(b2, store.storeId);
      await received<ArrivalAlert>(tB1, 'alert:new', (a) => a.alertId === atB2);

      // Every sighting on both nodes of its own deployment, none on the other's.
      const sorted = (ids: string[]) => [...ids].sort();
      for (const socket of [tA1, tA2])
        expect(sorted(eventsOf<ArrivalAlert>(socket, 'alert:new').map(aOf))).toEqual(
          sorted([atA1, atA2]),
        );
      for (const socket of [tB1, tB2])
        expect(sorted(eventsOf<ArrivalAlert>(socket, 'alert:new').map(aOf))).toEqual(
          sorted([atB1, atB2]),
        );
    });

    it('keeps every Redis key and channel of a deployment under its prefix', async () => {
      const redis = new Redis(redisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await redis.connect();
        // Rate-limit counters (the calls above counted against the keys), in this suite's database.
        const keys: string[] = [];
        let cursor = '0';
        do {
          const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
          keys.push(...batch);
          cursor = next;
        } while (cursor !== '0');
        const ours = keys.filter((k) => k.startsWith(`${RUN}-`));
        expect(ours.filter((k) => k.startsWith(`${ONE}:rl:`)).length).toBeGreaterThan(0);
        expect(ours.filter((k) => k.startsWith(`${TWO}:rl:`)).length).toBeGreaterThan(0);
        // Each deployment's node heartbeats (server/realtime/peer-watch.ts), its two nodes each.
        for (const prefix of [ONE, TWO]) expect(await redis.zcard(`${prefix}:nodes`)).toBe(2);
        const under = (k: string, prefix: string) =>
          k.startsWith(`${prefix}:rl:`) || k === `${prefix}:nodes`;
        expect(ours.filter((k) => !under(k, ONE) && !under(k, TWO))).toEqual([]);
        // Nothing outside a prefix: these hubs set one, so a fixed key name would show here.
        expect(keys.filter((k) => !k.startsWith('sgtest-'))).toEqual([]);

        // The socket.io adapter's channels (pub/sub is server-wide: filtered by this run).
        const channels = (await redis.pubsub('CHANNELS', `${RUN}-*`)) as string[];
        for (const prefix of [ONE, TWO]) {
          const own = channels.filter((c) => c.startsWith(`${prefix}:io`));
          expect(own).toContain(`${prefix}:io-request#/terminal#`);
          // Both nodes of the deployment listen on it.
          const [, listeners] = (await redis.pubsub(
            'NUMSUB',
            `${prefix}:io-request#/terminal#`,
          )) as [string, number];
          expect(Number(listeners)).toBe(2);
        }
        expect(
          channels.filter((c) => !c.startsWith(`${ONE}:io`) && !c.startsWith(`${TWO}:io`)),
        ).toEqual([]);
      } finally {
        redis.disconnect();
      }
    });
  },
);
