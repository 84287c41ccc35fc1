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
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  assertRedisReachable,
  freshPostgresDatabase,
  postgresReason,
  redisReason,
} from '../support/services';

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

const claim = (socket: TerminalClient, alertId: string, guideId: string) =>
  socket.timeout(10_000).emitWithAck('alert:claim', { alertId, guideId }) as Promise<ClaimAck>;

const configured = Boolean(TEST_DATABASE_URL && TEST_REDIS_URL);
// In CI the suite must run: missing variables fail it (in beforeAll) rather than skip it.
const enabled = configured || Boolean(process.env.CI);
const reason = [TEST_DATABASE_URL ? null : postgresReason, TEST_REDIS_URL ? null : redisReason]
  .filter(Boolean)
  .join('; ');

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
    let seq = 0;

    const arrive = async (at?: string) => {
      seq += 1;
      const n = `${Date.now() % 100000}${seq}`.padStart(7, '0').slice(-7);
      const memberCode = `MN${n}${seq}`;
      const seeded = await callRoute(nodeA, endpoints.importCustomers, {
        body: { customers: [{ crmId: `crm-mn-${n}-${seq}`, name: `多节点${seq}`, memberCode }] },
      });
      expect(seeded.body.results[0]?.status).toBe('accepted');
      const r = await callRoute(nodeA, endpoints.presence, {
        body: {
          customer: { memberCode },
          storeId: store.storeId,
          source: 'beacon',
          ...(at && { at }),
        },
      });
      expect(r.status).toBe(202);
      return r.body.alertId!;
    };

    beforeAll(async () => {
      if (!configured) throw new Error(`CI is set but the multi-node suite cannot run: ${reason}`);
      // With CI set these throw, failing the suite loudly instead of skipping it.
      await assertRedisReachable();
      const database = await freshPostgresDatabase();
      drop = database.drop;
      const env = { HUB_EXPIRY_SWEEP_MS: '200' };
      nodeA = await startHub({ databaseUrl: database.url, redisUrl: TEST_REDIS_URL!, env });
      nodeB = await startHub({ databaseUrl: database.url, redisUrl: TEST_REDIS_URL!, env });
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

      const alertId = await arrive();
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
      const alertId = await arrive();
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
      const alertId = await arrive(minutesAgo(31));
      for (const s of [onA, onB]) {
        const u = await received<AlertUpdate>(s, 'alert:updated', (x) => x.alertId === alertId);
        expect(u.status).toBe('expired');
      }
      // A later event through the same rooms: any second expiry notice would have arrived first.
      const next = await arrive();
      await received<ArrivalAlert>(onA, 'alert:new', (a) => a.alertId === next);
      await received<ArrivalAlert>(onB, 'alert:new', (a) => a.alertId === next);
      for (const s of [onA, onB]) {
        const notices = eventsOf<AlertUpdate>(s, 'alert:updated').filter(
          (u) => u.alertId === alertId,
        );
        expect(notices).toHaveLength(1);
      }
    });
  },
);
