import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { endpoints, type FollowUpItem } from '../../shared/protocol';
import { err } from '../../shared/result';
import { enqueueFollowUpOutcome, enqueueVisitOutcome } from '../../renderer/data/follow-ups';
import { outboxEntry } from '../../renderer/data/outbox';
import type { HubClient } from '../../renderer/sync/hub-client';
import { hubApi, must } from '../support/api';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { startHub, type HubProcess } from '../support/hub-process';
import { enrolTerminal, seedCustomers, waitFor, type Terminal } from './terminal-harness';

/**
 * #15 items 3 and 5 end to end against a real hub process (PGlite): a visit outcome and a
 * follow-up outcome recorded offline reach the hub exactly once when it is back (one of the
 * answers lost on the way, so each is sent twice), and the closed task leaves the other terminal.
 */
describe('follow-ups and visit outcomes: terminal ↔ real hub', () => {
  let hub: HubProcess;
  let store: StoreFixture;
  const terminals: Terminal[] = [];

  afterEach(async () => {
    for (const t of terminals.splice(0)) t.engine.stop();
    await hub.kill();
    rmSync(hub.dataDir, { recursive: true, force: true });
  });

  /** Loses the hub's first answer to each outcome call (the hub has applied it). */
  const losingFirstAnswers = (client: HubClient): HubClient => {
    const lost = new Set<string>();
    const lose =
      <T>(name: string, post: (items: T[]) => ReturnType<HubClient['postVisitOutcomes']>) =>
      async (items: T[]) => {
        const answer = await post(items);
        if (lost.has(name)) return answer;
        lost.add(name);
        return err({ code: 'network' as const, message: 'answer lost' });
      };
    return {
      ...client,
      postVisitOutcomes: lose('visits', (items) => client.postVisitOutcomes(items)),
      postFollowUpOutcomes: lose('followUps', (items) => client.postFollowUpOutcomes(items)),
    };
  };

  it(
    'offline visit outcome and task completion reach the hub once; the task leaves every terminal',
    { timeout: 300_000 }, // three hub starts on PGlite
    async () => {
      hub = await startHub();
      store = await createStoreFixture(hub, { name: '上海IFC店' });
      const [member] = await seedCustomers(hub, 1, newId().slice(-6), store.storeId);
      const a = await enrolTerminal(hub, store, { index: 0, wrap: losingFirstAnswers });
      const b = await enrolTerminal(hub, store, { index: 1 });
      terminals.push(a, b);
      for (const t of [a, b]) {
        await t.engine.start();
        await waitFor(() => t.engine.status.get().online, 'online');
      }
      // The member walks in; guide 1 claims them on counter A.
      const arrival = await must(
        hubApi(hub).call(endpoints.presence, {
          body: {
            customer: { memberCode: member!.memberCode },
            storeId: store.storeId,
            source: 'wifi',
          },
        }),
      );
      const alertId = arrival.alertId!;
      const claim = await a.engine.claimAlert(alertId, store.guide.id);
      expect(claim.ok && claim.value.ok).toBe(true);

      // The network goes; the member leaves without buying: 价格, recorded offline.
      const port = hub.port;
      await hub.stop();
      const visitOutcomeId = newId();
      const recorded = await enqueueVisitOutcome(a.db, {
        id: visitOutcomeId,
        alertId,
        guideId: store.guide.id,
        reason: 'price',
        at: new Date().toISOString(),
      });
      expect(recorded.ok).toBe(true);
      await a.engine.requestDrain();
      expect(a.engine.status.get().pendingCount).toBe(1);

      // Back online: sent, answer lost, sent again (duplicate) — and stored once.
      hub = await startHub({ dataDir: hub.dataDir, port });
      await a.engine.requestDrain();
      await a.engine.requestDrain();
      expect((await outboxEntry(a.db, visitOutcomeId))?.status).toBe('synced');
      const today = new Intl.DateTimeFormat('en-CA', { timeZone: store.timezone }).format(
        new Date(),
      );
      const api = hubApi(hub, { token: store.terminals[0]!.token });
      const stats = await must(
        api.call(endpoints.storeStats, {
          params: { storeId: store.storeId },
          query: { date: today },
        }),
      );
      expect('noPurchaseReasons' in stats && stats.noPurchaseReasons).toEqual({
        size_missing: 0,
        price: 1,
        just_browsing: 0,
        will_return: 0,
        other: 0,
      });

      // The hub made the visit's follow-up (due the next store-local day); both counters get it.
      for (const t of [a, b]) await waitFor(() => t.engine.status.get().online, 'reconnected');
      const taskOn = async (t: Terminal) => {
        await t.engine.pullFollowUps();
        return (await t.db.followUps.toArray())[0];
      };
      const task: FollowUpItem = await waitFor(() => taskOn(a), 'task on counter A');
      expect(task).toMatchObject({
        kind: 'visit_no_purchase',
        status: 'open',
        guideId: null,
        detail: { reason: 'price' },
      });
      expect(Date.parse(task.dueAt)).toBeGreaterThan(Date.now());
      expect((await waitFor(() => taskOn(b), 'task on counter B')).id).toBe(task.id);

      // Offline again: the guide calls the member and records 已到店 on counter A.
      await hub.stop();
      const outcomeId = newId();
      const done = await enqueueFollowUpOutcome(a.db, {
        id: outcomeId,
        taskId: task.id,
        guideId: store.guide.id,
        outcome: 'came_back',
        note: '周末来试穿',
        at: new Date().toISOString(),
      });
      expect(done.ok).toBe(true);
      expect((await a.db.followUps.get(task.id))?.doneHere).toBe('came_back');

      hub = await startHub({ dataDir: hub.dataDir, port });
      await a.engine.requestDrain();
      await a.engine.requestDrain();
      expect((await outboxEntry(a.db, outcomeId))?.status).toBe('synced');
      // Counter B hears followups:changed on its socket and pulls: the task leaves its list.
      await waitFor(async () => (await b.db.followUps.count()) === 0, 'task gone from counter B');
      await waitFor(async () => (await a.db.followUps.count()) === 0, 'task gone from counter A');

      // Exactly once on the hub: a resend is a duplicate, a second outcome too, and a terminal
      // syncing from scratch gets no open task.
      const again = await must(
        api.call(endpoints.postFollowUpOutcomes, {
          body: {
            outcomes: [
              {
                id: outcomeId,
                taskId: task.id,
                guideId: store.guide.id,
                outcome: 'came_back',
                at: new Date().toISOString(),
              },
              {
                id: newId(),
                taskId: task.id,
                guideId: store.manager.id,
                outcome: 'bought',
                at: new Date().toISOString(),
              },
            ],
          },
        }),
      );
      expect(again.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
      const fresh = await must(
        api.call(endpoints.syncFollowUps, { query: { after: '0', limit: 100, withTotal: true } }),
      );
      expect(fresh.items).toEqual([]);
    },
  );
});
