import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoints } from '../../shared/protocol';
import { callRoute } from '../support/api';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { removeDataDir, startHub, type HubProcess } from '../support/hub-process';
import { runAdminCliHere } from '../support/run-cli';
import {
  TEST_REDIS_URL,
  assertRedisReachable,
  freshPostgresDatabase,
  postgresAndRedis,
} from '../support/services';
import {
  connectTerminal,
  connected,
  openTerminalSocket,
  type TerminalClient,
} from '../support/terminal-socket';

/** This suite's own Redis prefix: pub/sub is one space for the whole Redis server. */
const RUN = `sgtest-${process.pid}-${Date.now()}`;

// In CI the suite must run: missing variables fail it (in beforeAll) rather than skip it.
const { configured, enabled, reason } = postgresAndRedis;

/**
 * Each node keeps the terminals it resolved in memory (server/auth/terminal-cache.ts), shared by
 * the socket handshake and REST. A revocation through one node must reach every node's cache at
 * once: node B, whose cache holds the terminal, refuses its token on REST and in the handshake as
 * soon as node A has answered the revocation. `hub:admin` in direct mode reaches every node
 * through PostgreSQL (NOTIFY at commit); any other write straight to the database reaches the
 * caches within the TTL (one revocation check interval).
 */
describe.skipIf(!enabled)(
  `terminal revocation across hub nodes ${configured ? '(on PostgreSQL with Redis)' : `(${reason})`}`,
  () => {
    let nodeA: HubProcess;
    let nodeB: HubProcess;
    let store: StoreFixture;
    let databaseUrl: string;
    let drop: (() => Promise<void>) | undefined;
    const sockets: TerminalClient[] = [];

    beforeAll(async () => {
      if (!configured) throw new Error(`CI is set but the multi-node suite cannot run: ${reason}`);
      await assertRedisReachable();
      const database = await freshPostgresDatabase();
      drop = database.drop;
      databaseUrl = database.url;
      // The default check interval (30 s): the cache's TTL is 30 s, far longer than the test.
      const env = { HUB_REDIS_PREFIX: `${RUN}-revocation` };
      nodeA = await startHub({ databaseUrl, redisUrl: TEST_REDIS_URL!, env });
      nodeB = await startHub({ databaseUrl, redisUrl: TEST_REDIS_URL!, env });
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

    const restStatus = async (hub: HubProcess, token: string) =>
      (await callRoute(hub, endpoints.terminalInfo, {}, { token })).status;
    /** The handshake's answer: 'connected', or the refusal (e.g. 'unauthorized'). */
    const handshake = async (hub: HubProcess, token: string) => {
      const socket = openTerminalSocket(hub, token);
      sockets.push(socket);
      try {
        await connected(socket);
        return 'connected';
      } catch (error) {
        return (error as Error).message;
      } finally {
        socket.close();
      }
    };

    it('a terminal revoked through node A is refused by node B’s REST and handshake at once', async () => {
      const [revoked, bystander] = store.terminals;
      // Node B's cache holds both terminals: a socket and REST calls through B.
      const onB = await connectTerminal(nodeB, revoked!.token);
      sockets.push(onB);
      for (const t of [revoked!, bystander!]) expect(await restStatus(nodeB, t.token)).toBe(200);
      expect(await handshake(nodeB, revoked!.token)).toBe('connected');
      const dropped = new Promise<string>((resolve) => onB.once('disconnect', resolve));

      const r = await callRoute(nodeA, endpoints.adminRevokeTerminal, {
        params: { id: revoked!.id },
      });
      expect(r.status).toBe(200);

      // No wait: node A answered once node B had forgotten the terminal.
      expect(await restStatus(nodeB, revoked!.token)).toBe(401);
      expect(await handshake(nodeB, revoked!.token)).toBe('unauthorized');
      expect(await restStatus(nodeA, revoked!.token)).toBe(401);
      expect(await handshake(nodeA, revoked!.token)).toBe('unauthorized');
      expect(await dropped).toBe('io server disconnect');
      // Only that terminal: the other one of the store is still served from B's cache.
      expect(await restStatus(nodeB, bystander!.token)).toBe(200);
      expect(nodeA.logs.filter((l) => /not acknowledged/.test(String(l.msg)))).toEqual([]);
    });

    it('hub:admin revoke-terminal in direct mode is refused by both nodes at once', async () => {
      const created = await callRoute(nodeA, endpoints.adminCreateTerminal, {
        body: { storeId: store.storeId, name: 'Direct' },
      });
      expect(created.status).toBe(201);
      const { id, token } = created.body;
      for (const hub of [nodeA, nodeB]) expect(await restStatus(hub, token)).toBe(200);

      const cli = await runAdminCliHere(['revoke-terminal', id, '--json'], {
        DATABASE_URL: databaseUrl,
      });
      expect(cli.code).toBe(0);

      for (const hub of [nodeA, nodeB]) {
        expect(await restStatus(hub, token)).toBe(401);
        expect(await handshake(hub, token)).toBe('unauthorized');
      }
    });

    it('a revocation written straight to the database reaches node B’s REST within the TTL', async () => {
      // A node with a short check interval: its cache trusts a terminal 400 ms at most.
      const nodeC = await startHub({
        databaseUrl,
        redisUrl: TEST_REDIS_URL!,
        env: { HUB_REDIS_PREFIX: `${RUN}-revocation`, HUB_REVOCATION_CHECK_MS: '400' },
      });
      try {
        const [, terminal] = store.terminals;
        expect(await restStatus(nodeC, terminal!.token)).toBe(200);
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        await client.query('update terminals set revoked_at = now() where id = $1', [terminal!.id]);
        await client.end();
        const since = Date.now();
        await expect
          .poll(() => restStatus(nodeC, terminal!.token), { timeout: 5_000, interval: 50 })
          .toBe(401);
        // The entry was at most 400 ms old; the poll's step and a loaded machine on top.
        expect(Date.now() - since).toBeLessThan(2_000);
        expect(await handshake(nodeC, terminal!.token)).toBe('unauthorized');
      } finally {
        await nodeC.kill();
        removeDataDir(nodeC);
      }
    });
  },
);
