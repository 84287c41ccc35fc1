import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResyncPayload } from '../../shared/protocol';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { removeDataDir, startHub, type HubProcess } from '../support/hub-process';
import { connectTestRedis, redisReason, TEST_REDIS_URL } from '../support/services';
import { connectTerminal, received, type TerminalClient } from '../support/terminal-socket';

/**
 * A hub node that dies silently (kill -9) may have emitted an alert to its own sockets and died
 * before its Redis publish went out (bench:chain lost one alert × terminal that way). The other
 * nodes notice its heartbeat stop (server/realtime/peer-watch.ts) and tell their own terminals to
 * catch up (`sync:resync`, reason `peer_lost`). A node that stops gracefully leaves the set, so
 * it never counts as dead.
 */
const PREFIX = `sgtest-peers-${process.pid}-${Date.now()}`;
const NODES_KEY = `${PREFIX}:nodes`;

const configured = Boolean(TEST_REDIS_URL);
// In CI the suite must run: a missing variable fails it (in beforeAll) rather than skip it.
const enabled = configured || Boolean(process.env.CI);

describe.skipIf(!enabled)(
  `a silent node death makes the others' terminals catch up ${configured ? '' : `(${redisReason})`}`,
  () => {
    const hubs: HubProcess[] = [];
    let redis: Redis;
    let store: StoreFixture;
    let socket: TerminalClient | undefined;

    /** A hub node of this suite's deployment (its own PGlite; only Redis is shared). */
    const node = async () => {
      const hub = await startHub({ redisUrl: TEST_REDIS_URL!, env: { HUB_REDIS_PREFIX: PREFIX } });
      hubs.push(hub);
      return hub;
    };
    /** Waits (bounded) until the deployment's node set holds `count` nodes. */
    const nodesBecome = async (count: number) => {
      for (let i = 0; i < 150; i++) {
        if ((await redis.zcard(NODES_KEY)) === count) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await redis.zcard(NODES_KEY)).toBe(count);
    };

    beforeAll(async () => {
      if (!configured) throw new Error(`CI is set but this suite cannot run: ${redisReason}`);
      redis = await connectTestRedis();
    });
    afterAll(async () => {
      socket?.close();
      for (const hub of hubs) {
        await hub.kill();
        removeDataDir(hub);
      }
      await redis?.del(NODES_KEY);
      redis?.disconnect();
    });

    it('a graceful stop leaves the node set; a kill -9 sends the survivors’ terminals a resync', async () => {
      const survivor = await node();
      store = await createStoreFixture(survivor);
      socket = await connectTerminal(survivor, store.terminals[0]!.token);
      const leaving = await node();
      const dying = await node();
      await nodesBecome(3);

      // Stopping on purpose (SIGTERM): its entry goes with it, so no peer can take it for dead.
      expect(await leaving.stop()).toBe(0);
      expect(await redis.zcard(NODES_KEY)).toBe(2);

      await dying.kill();
      const resync = await received<ResyncPayload>(
        socket,
        'sync:resync',
        (p) => p.reason === 'peer_lost',
      );
      expect(resync.spreadMs).toBeGreaterThan(0);
      // The survivor says why in its log, with a count and nothing else.
      // (Its stdout is read through a pipe, which may lag the socket: wait for the line.)
      await expect
        .poll(() => survivor.logs.find((l) => l.peersLost !== undefined), { timeout: 5_000 })
        .toMatchObject({ peersLost: 1 });
    });
  },
);
