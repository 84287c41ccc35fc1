import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { endpoints, type ProfileEdit } from '../../shared/protocol';
import { err } from '../../shared/result';
import { getCustomer } from '../../renderer/data/customers';
import { outboxEntry } from '../../renderer/data/outbox';
import { enqueueProfileEdit } from '../../renderer/data/profile-edits';
import type { HubClient } from '../../renderer/sync/hub-client';
import { hubApi, must } from '../support/api';
import { createStoreFixture } from '../support/fixtures';
import { startHub, type HubProcess } from '../support/hub-process';
import { customerFeed } from '../support/seed';
import { enrolTerminal, seedCustomers, waitFor, type Terminal } from './terminal-harness';

/**
 * #16 item 7 end to end against a real hub process (PGlite): a profile edit made on counter A
 * while the hub is unreachable shows on A at once, survives a feed page pulled before the drain,
 * reaches the hub exactly once when it is back (the first answer lost on the way, so it is sent
 * twice), is merged per field with counter B's edit of another field, and reaches counter B's
 * cached profile through the customer feed.
 */
describe('profile edits: terminal ↔ real hub', () => {
  let hub: HubProcess;
  const terminals: Terminal[] = [];

  afterEach(async () => {
    for (const t of terminals.splice(0)) t.engine.stop();
    await hub.kill();
    rmSync(hub.dataDir, { recursive: true, force: true });
  });

  /** Loses the hub's first answer to a profile-edit call (the hub has applied it). */
  const losingFirstAnswer = (client: HubClient): HubClient => {
    let lost = false;
    return {
      ...client,
      postProfileEdits: async (edits) => {
        const answer = await client.postProfileEdits(edits);
        if (lost) return answer;
        lost = true;
        return err({ code: 'network' as const, message: 'answer lost' });
      },
    };
  };

  const editable = async (t: Terminal, id: string) => {
    const c = await getCustomer(t.db, id);
    return c && { sizes: c.sizes, tags: c.tags, notes: c.notes };
  };

  it(
    'an offline edit shows at once, reaches the hub once, merges per field and shows on the other counter',
    { timeout: 300_000 }, // two hub starts on PGlite
    async () => {
      hub = await startHub();
      const store = await createStoreFixture(hub, { name: '杭州湖滨店' });
      await seedCustomers(hub, 1, newId().slice(-6), store.storeId);
      const [member] = await customerFeed(hub, store.terminals[0]!.token);
      const a = await enrolTerminal(hub, store, { index: 0, wrap: losingFirstAnswer });
      const b = await enrolTerminal(hub, store, { index: 1 });
      terminals.push(a, b);
      for (const t of [a, b]) {
        await t.engine.start();
        await waitFor(() => t.engine.status.get().online, 'online');
      }
      const before = (await editable(b, member!.id))!;

      // The network goes; after a fitting, counter A notes her top size and a remark.
      const port = hub.port;
      await hub.stop();
      const edit: ProfileEdit = {
        id: newId(),
        customerId: member!.id,
        guideId: store.guide.id,
        at: new Date().toISOString(),
        changes: { sizes: { top: 'L' }, notes: '肩宽，上装要大一码' },
      };
      const saved = await enqueueProfileEdit(a.db, edit);
      expect(saved.ok).toBe(true);
      await a.engine.requestDrain();
      const mine = { ...before, sizes: { ...before.sizes, top: 'L' }, notes: '肩宽，上装要大一码' };
      expect(await editable(a, member!.id)).toEqual(mine);
      expect((await outboxEntry(a.db, edit.id))?.status).toBe('pending');

      // Back. Meanwhile counter B tags her (another field); A pulls the feed before it drains:
      // the page brings B's tag and must not take A's unsent edit away.
      hub = await startHub({ dataDir: hub.dataDir, port });
      const tagged = await must(
        hubApi(hub, { token: store.terminals[1]!.token }).call(endpoints.postProfileEdits, {
          body: {
            edits: [
              {
                id: newId(),
                customerId: member!.id,
                guideId: store.guide2.id,
                at: new Date().toISOString(),
                changes: { tags: ['常客', '喜欢真丝'] },
              },
            ],
          },
        }),
      );
      expect(tagged.results.map((r) => r.status)).toEqual(['accepted']);
      await a.engine.pullFeed('customers');
      const merged = { ...mine, tags: ['常客', '喜欢真丝'] };
      expect(await editable(a, member!.id)).toEqual(merged);

      // Sent, answer lost, sent again (duplicate): stored and audited once.
      await a.engine.requestDrain();
      await a.engine.requestDrain();
      expect((await outboxEntry(a.db, edit.id))?.status).toBe('synced');
      const audit = await must(
        hubApi(hub).call(endpoints.adminAudit, { query: { customerId: member!.id, limit: 100 } }),
      );
      expect(
        audit.items
          .filter((e) => e.action === 'customer_profile_edited')
          .map((e) => [e.guide?.id, e.terminal?.id, e.detail]),
      ).toEqual([
        // newest first: B's tag was made after A's offline edit
        [store.guide2.id, store.terminals[1]!.id, { fields: ['tags'] }],
        [store.guide.id, store.terminals[0]!.id, { fields: ['sizes.top', 'notes'] }],
      ]);
      const again = await must(
        hubApi(hub, { token: store.terminals[0]!.token }).call(endpoints.postProfileEdits, {
          body: { edits: [edit] },
        }),
      );
      expect(again.results.map((r) => r.status)).toEqual(['duplicate']);

      // Counter B hears customers:changed and pulls: both fields, on both counters and the hub.
      await waitFor(
        async () => JSON.stringify(await editable(b, member!.id)) === JSON.stringify(merged),
        'the edit on counter B',
      );
      expect(await editable(a, member!.id)).toEqual(merged);
      const hubSide = (await customerFeed(hub, store.terminals[0]!.token)).find(
        (p) => p.id === member!.id,
      );
      expect({ sizes: hubSide?.sizes, tags: hubSide?.tags, notes: hubSide?.notes }).toEqual(merged);
    },
  );
});
