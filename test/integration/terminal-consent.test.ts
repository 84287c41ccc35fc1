import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { CURRENT_NOTICE_VERSION, noticeHash } from '../../shared/domain/marketing-notice';
import { endpoints } from '../../shared/protocol';
import { err } from '../../shared/result';
import {
  consentOf,
  enqueueConsentChange,
  outreachSettingsHere,
} from '../../renderer/data/consents';
import { outboxEntry } from '../../renderer/data/outbox';
import type { HubClient } from '../../renderer/sync/hub-client';
import { hubApi, must } from '../support/api';
import { createStoreFixture } from '../support/fixtures';
import { startHub, type HubProcess } from '../support/hub-process';
import { customerFeed } from '../support/seed';
import { enrolTerminal, seedCustomers, waitFor, type Terminal } from './terminal-harness';

const PATTERN = 'https://m.example.com/p/{styleCode}?sku={sku}&guide={guideId}';

/**
 * #15 item 4 end to end against a real hub process (PGlite): a member's marketing consent given
 * on a counter while the hub is unreachable reaches the hub exactly once when it is back (the
 * first answer lost on the way, so it is sent twice), is audited once, and reaches the other
 * counter through the customer feed; head office's mini-store link reaches the counters.
 */
describe('marketing consent: terminal ↔ real hub', () => {
  let hub: HubProcess;
  const terminals: Terminal[] = [];

  afterEach(async () => {
    for (const t of terminals.splice(0)) t.engine.stop();
    await hub.kill();
    rmSync(hub.dataDir, { recursive: true, force: true });
  });

  /** Loses the hub's first answer to a consent call (the hub has applied it). */
  const losingFirstAnswer = (client: HubClient): HubClient => {
    let lost = false;
    return {
      ...client,
      postConsents: async (changes) => {
        const answer = await client.postConsents(changes);
        if (lost) return answer;
        lost = true;
        return err({ code: 'network' as const, message: 'answer lost' });
      },
    };
  };

  it(
    'an offline consent reaches the hub once, is audited once, and the other counter learns it',
    { timeout: 300_000 }, // two hub starts on PGlite
    async () => {
      hub = await startHub();
      const store = await createStoreFixture(hub, { name: '杭州湖滨店' });
      await seedCustomers(hub, 1, newId().slice(-6), store.storeId);
      const [member] = await customerFeed(hub, store.terminals[0]!.token);
      await must(
        hubApi(hub).call(endpoints.adminSetOutreachSettings, {
          body: { miniStoreUrlPattern: PATTERN },
        }),
      );
      const a = await enrolTerminal(hub, store, { index: 0, wrap: losingFirstAnswer });
      const b = await enrolTerminal(hub, store, { index: 1 });
      terminals.push(a, b);
      for (const t of [a, b]) {
        await t.engine.start();
        await waitFor(() => t.engine.status.get().online, 'online');
      }
      // The link pattern came with the sync; the CRM member has not agreed to anything.
      expect(await outreachSettingsHere(a.db)).toEqual({ miniStoreUrlPattern: PATTERN });
      expect((await consentOf(b.db, member!.id)).consent).toEqual({
        granted: false,
        at: null,
        noticeVersion: null,
      });

      // The network goes; the member agrees after reading the notice on counter A.
      const port = hub.port;
      await hub.stop();
      const changeId = newId();
      const at = new Date().toISOString();
      const recorded = await enqueueConsentChange(a.db, {
        id: changeId,
        customerId: member!.id,
        guideId: store.guide.id,
        granted: true,
        noticeVersion: CURRENT_NOTICE_VERSION,
        noticeLocale: 'zh-CN',
        noticeHash: await noticeHash(CURRENT_NOTICE_VERSION, 'zh-CN'),
        at,
      });
      expect(recorded.ok).toBe(true);
      await a.engine.requestDrain();
      expect(await consentOf(a.db, member!.id)).toEqual({
        consent: { granted: true, at, noticeVersion: CURRENT_NOTICE_VERSION },
        pending: true,
      });

      // Back: sent, answer lost, sent again (duplicate) — stored and audited once.
      hub = await startHub({ dataDir: hub.dataDir, port });
      await a.engine.requestDrain();
      await a.engine.requestDrain();
      expect((await outboxEntry(a.db, changeId))?.status).toBe('synced');
      const audit = await must(
        hubApi(hub).call(endpoints.adminAudit, { query: { customerId: member!.id, limit: 100 } }),
      );
      expect(
        audit.items
          .filter((e) => e.action.startsWith('marketing_consent_'))
          .map((e) => [e.action, e.guide?.id, e.terminal?.id, e.at]),
      ).toEqual([['marketing_consent_granted', store.guide.id, store.terminals[0]!.id, at]]);

      // Counter B hears customers:changed and pulls: the member agreed, when, under which notice.
      const expected = { granted: true, at, noticeVersion: CURRENT_NOTICE_VERSION };
      await waitFor(
        async () =>
          JSON.stringify((await consentOf(b.db, member!.id)).consent) === JSON.stringify(expected),
        'consent on counter B',
      );
      expect(await consentOf(a.db, member!.id)).toEqual({ consent: expected, pending: false });
      const again = await must(
        hubApi(hub, { token: store.terminals[0]!.token }).call(endpoints.postConsents, {
          body: {
            changes: [
              {
                id: changeId,
                customerId: member!.id,
                guideId: store.guide.id,
                granted: true,
                noticeVersion: CURRENT_NOTICE_VERSION,
                noticeLocale: 'zh-CN',
                noticeHash: await noticeHash(CURRENT_NOTICE_VERSION, 'zh-CN'),
                at,
              },
            ],
          },
        }),
      );
      expect(again.results.map((r) => r.status)).toEqual(['duplicate']);
    },
  );
});
