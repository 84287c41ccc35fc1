import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoints } from '../../shared/protocol';
import { STORE_CACHE_MS } from '../../server/presence/store-geofences';
import { callRoute } from '../support/api';
import { createStoreFixture } from '../support/fixtures';
import { removeDataDir, startHub, type HubProcess } from '../support/hub-process';
import {
  TEST_REDIS_URL,
  assertRedisReachable,
  freshPostgresDatabase,
  postgresAndRedis,
} from '../support/services';

/** This suite's own Redis prefix: pub/sub is one space for the whole Redis server. */
const RUN = `sgtest-${process.pid}-${Date.now()}`;

// In CI the suite must run: missing variables fail it (in beforeAll) rather than skip it.
const { configured, enabled, reason } = postgresAndRedis;

const CHENGDU = { lat: 30.6586, lng: 104.0647 };
const XIAN = { lat: 34.3416, lng: 108.9398 };
const KUNMING = { lat: 25.0389, lng: 102.7183 };

/**
 * Two hub nodes on one PostgreSQL database and one Redis: each keeps the chain's stores in memory
 * for presence by place and "online nearby" (server/presence/store-geofences.ts). A store saved
 * on one node reaches the other's memory at once (`stores:changed` through Redis), not at its
 * next STORE_CACHE_MS reload.
 */
describe.skipIf(!enabled)(
  `a store saved on one hub node ${configured ? '(on PostgreSQL with Redis)' : `(${reason})`}`,
  () => {
    let nodeA: HubProcess;
    let nodeB: HubProcess;
    let drop: (() => Promise<void>) | undefined;
    const memberCode = `MS${Date.now() % 1_000_000}`;

    beforeAll(async () => {
      if (!configured) throw new Error(`CI is set but the multi-node suite cannot run: ${reason}`);
      await assertRedisReachable();
      const database = await freshPostgresDatabase();
      drop = database.drop;
      const env = { HUB_REDIS_PREFIX: `${RUN}-stores` };
      // started together: this file runs alone (vitest.config.ts), a hub start leaves a core idle
      [nodeA, nodeB] = await Promise.all([
        startHub({ databaseUrl: database.url, redisUrl: TEST_REDIS_URL!, env }),
        startHub({ databaseUrl: database.url, redisUrl: TEST_REDIS_URL!, env }),
      ]);
      const seeded = await callRoute(nodeA, endpoints.importCustomers, {
        body: { customers: [{ crmId: `crm-${memberCode}`, name: '多节点门店', memberCode }] },
      });
      expect(seeded.body.results[0]?.status).toBe('accepted');
    });
    afterAll(async () => {
      for (const hub of [nodeA, nodeB]) {
        if (!hub) continue;
        await hub.kill();
        removeDataDir(hub);
      }
      await drop?.();
    });

    /** A sighting by place (no store id) taken by `hub`: its status and the store it named. */
    const sightAt = async (hub: HubProcess, place: { lat: number; lng: number }) => {
      const r = await callRoute(hub, endpoints.presence, {
        body: { customer: { memberCode }, ...place, source: 'wifi' },
      });
      return { status: r.status, code: r.error?.code };
    };
    /** How long after `since` node B first places a sighting at `place` (polling; up to 15 s). */
    const msUntilBKnows = async (place: { lat: number; lng: number }, since: number) => {
      for (;;) {
        const { status, code } = await sightAt(nodeB, place);
        if (status === 202) return Date.now() - since;
        expect(code).toBe('no_store_nearby');
        if (Date.now() - since > STORE_CACHE_MS + 5_000) return Date.now() - since;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };

    it('a store created or moved on node A counts on node B at once, not after its 10 s reload', async () => {
      await createStoreFixture(nodeA, { name: '成都', ...CHENGDU });
      // Node B loads the stores it knows now (Chengdu), by a sighting there.
      expect((await sightAt(nodeB, CHENGDU)).status).toBe(202);
      expect(await sightAt(nodeB, XIAN)).toEqual({ status: 422, code: 'no_store_nearby' });

      // Created on A: B places a sighting there well before its list would be 10 s old.
      let saved = Date.now();
      const xian = await createStoreFixture(nodeA, { name: '西安', ...XIAN });
      expect(await msUntilBKnows(XIAN, saved)).toBeLessThan(STORE_CACHE_MS / 2);

      // Moved on A (saved again under its id): B places a sighting at its new place at once.
      expect(await sightAt(nodeB, KUNMING)).toEqual({ status: 422, code: 'no_store_nearby' });
      saved = Date.now();
      const moved = await callRoute(nodeA, endpoints.adminCreateStore, {
        body: {
          id: xian.storeId,
          name: '西安',
          timezone: 'Asia/Shanghai',
          ...KUNMING,
          geofenceRadiusM: 300,
        },
      });
      expect(moved.status).toBe(201);
      expect(await msUntilBKnows(KUNMING, saved)).toBeLessThan(STORE_CACHE_MS / 2);
      expect(await sightAt(nodeB, XIAN)).toEqual({ status: 422, code: 'no_store_nearby' });
    });
  },
);
