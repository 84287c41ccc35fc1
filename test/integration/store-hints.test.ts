import { afterAll, beforeAll, expect, it } from 'vitest';
import { customerFeedItem, endpoints, feedPage } from '../../shared/protocol';
import { newId } from '../../shared/domain/ids';
import { callRoute } from '../support/api';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import type { HubProcess } from '../support/hub-process';
import {
  connectTerminal,
  eventsOf,
  received,
  type TerminalClient,
} from '../support/terminal-socket';

/**
 * Issue #17: with store-scoped feeds a member's change is hinted (`customers:changed`) to the
 * stores whose scope holds the member, not to every terminal of the chain; with the chain feed
 * every terminal hears it (each caches every member).
 */
describeOnBackends('customers:changed goes where the member is cached', (backend) => {
  let n = 0;
  const importMember = async (hub: HubProcess, homeStoreId: string) => {
    n += 1;
    const r = await callRoute(hub, endpoints.importCustomers, {
      body: {
        customers: [
          {
            crmId: `crm-${newId()}`,
            name: '会员',
            phone: `13${String(820000000 + n).padStart(9, '0')}`,
            memberCode: `SH${String(n).padStart(6, '0')}`,
            homeStoreId,
          },
        ],
      },
    });
    expect(r.status).toBe(200);
    expect(r.body.results[0]!.status).toBe('accepted');
    return `SH${String(n).padStart(6, '0')}`;
  };
  /** The home store's whole customer feed. */
  const homeFeed = async (hub: HubProcess, store: StoreFixture) => {
    const r = await callRoute(
      hub,
      endpoints.syncCustomers,
      { query: { after: '0', limit: 1000 } },
      { token: store.terminals[0]!.token },
    );
    expect(r.status).toBe(200);
    return feedPage(customerFeedItem).parse(r.body);
  };
  const idOf = (page: Awaited<ReturnType<typeof homeFeed>>, memberCode: string) => {
    const item = page.items.find((i) => 'memberCode' in i && i.memberCode === memberCode);
    if (!item) throw new Error(`${memberCode} not in the feed`);
    return item.id;
  };
  const viewOnline = async (hub: HubProcess, customerId: string) => {
    const r = await callRoute(hub, endpoints.onlineEvents, {
      body: {
        events: [
          {
            id: `ev-${newId()}`,
            customer: { customerId },
            type: 'viewed',
            sku: 'SKU-1',
            channel: 'app',
            at: new Date().toISOString(),
          },
        ],
      },
    });
    expect(r.status).toBe(200);
  };

  // The hubs' PostgreSQL databases too (each run left two behind).
  afterAll(() => backend.cleanup());

  for (const scope of ['store', 'chain'] as const) {
    let hub: HubProcess;
    let home: StoreFixture;
    let other: StoreFixture;
    const sockets: TerminalClient[] = [];
    beforeAll(async () => {
      hub = await backend.startHub({ env: { HUB_CUSTOMER_FEED_SCOPE: scope } });
      home = await createStoreFixture(hub, { name: '上海' });
      other = await createStoreFixture(hub, { name: '北京' });
    }, 120_000);
    afterAll(async () => {
      for (const s of sockets) s.close();
      await hub.stop();
    });

    it(`${scope} feed: a profile change reaches ${scope === 'store' ? 'the home store only' : 'every store'}`, async () => {
      const memberCode = await importMember(hub, home.storeId);
      const customerId = idOf(await homeFeed(hub, home), memberCode);
      // Past the import's own hints (the hub sends at most one per 500 ms: a trailing one may
      // still be due, and a loaded hub's timer fires late; one arriving after the connects below
      // would be taken for the change's hint). 1.5 s: three windows, not 100 ms past one.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const atHome = await connectTerminal(hub, home.terminals[0]!.token);
      const elsewhere = await connectTerminal(hub, other.terminals[0]!.token);
      sockets.push(atHome, elsewhere);

      await viewOnline(hub, customerId);
      const hint = await received<{ cursor: string }>(atHome, 'customers:changed');
      // The home store's feed carries the change, at or below the hinted cursor.
      const page = await homeFeed(hub, home);
      expect(BigInt(page.cursor)).toBeLessThanOrEqual(BigInt(hint.cursor));
      expect(idOf(page, memberCode)).toBe(customerId);

      if (scope === 'chain') {
        await received(elsewhere, 'customers:changed');
      } else {
        // A later hint to the home store proves the hub has moved on; the other store heard none.
        await new Promise((resolve) => setTimeout(resolve, 600));
        await viewOnline(hub, customerId);
        await received(
          atHome,
          'customers:changed',
          (p: { cursor: string }) => p.cursor !== hint.cursor,
        );
        expect(eventsOf(elsewhere, 'customers:changed')).toEqual([]);
      }
    });
  }
});
