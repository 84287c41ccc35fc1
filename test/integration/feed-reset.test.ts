import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import type { CustomerFeedId } from '../../shared/protocol';
import { customerById, getCustomer } from '../../renderer/data/customers';
import { enqueueOrder, enqueueRegistration, outboxEntry } from '../../renderer/data/outbox';
import { enqueueProfileEdit } from '../../renderer/data/profile-edits';
import type { HubClient } from '../../renderer/sync/hub-client';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import type { HubProcess } from '../support/hub-process';
import { customerFeed } from '../support/seed';
import {
  enrolTerminal,
  orderFor,
  seedCustomers,
  seedProducts,
  waitFor,
  type Terminal,
} from './terminal-harness';

/**
 * Issue #17: the customer feed's reset signal against a real hub process restarted with another
 * `HUB_CUSTOMER_FEED_SCOPE`. A terminal that cached the chain feed drops the profiles once the
 * hub serves its store's feed and pulls that from 0, exactly once; what it has not sent yet
 * survives and still reaches the hub. Switched back to `chain`, the same the other way.
 */
describeOnBackends('customer feed reset when the hub switches feeds', (backend) => {
  let hub: HubProcess;
  let here: StoreFixture;
  let there: StoreFixture;
  let terminal: Terminal;
  /** the feed of each pull the terminal started from cursor 0 */
  const fromZero: CustomerFeedId[] = [];
  let homed: { crmId: string; name: string; phone: string; memberCode: string }[];
  let elsewhere: typeof homed;

  /** Stops the hub and starts it again on the same database and port with `scope`. */
  const restartWith = async (scope: 'chain' | 'store') => {
    await hub.stop();
    hub = await backend.startHub({
      ...hub.options,
      dataDir: hub.dataDir,
      port: hub.port,
      env: { ...hub.options.env, HUB_CUSTOMER_FEED_SCOPE: scope },
    });
  };
  const counting = (client: HubClient): HubClient => ({
    ...client,
    pullCustomers: async (after, limit, withTotal) => {
      const page = await client.pullCustomers(after, limit, withTotal);
      if (after === '0' && page.ok) fromZero.push(page.value.feed);
      return page;
    },
  });
  const cachedCodes = async () =>
    (await terminal.db.customerStore.all()).map((c) => c.memberCode).sort();
  const feedState = async () => (await terminal.db.syncState.get('customers'))!;

  beforeAll(async () => {
    hub = await backend.startHub({ env: { HUB_CUSTOMER_FEED_SCOPE: 'chain' } });
    here = await createStoreFixture(hub, { name: '上海IFC店' });
    there = await createStoreFixture(hub, { name: '北京国贸店', lat: 39.9, lng: 116.46 });
    await seedProducts(hub, here.storeId, ['DR-1']);
    const tag = newId().slice(-6);
    homed = await seedCustomers(hub, 7, `${tag}h`, here.storeId);
    elsewhere = await seedCustomers(hub, 5, `${tag}e`, there.storeId);
    // Small pages: the reset must hold across several of them.
    terminal = await enrolTerminal(hub, here, { pageSize: 3, wrap: counting });
  }, 180_000);
  afterAll(async () => {
    terminal?.engine.stop();
    await backend.cleanup();
  });

  it(
    'chain → store: the chain cache goes once, the store feed is pulled from 0; unsent work survives and is sent',
    { timeout: 180_000 },
    async () => {
      await terminal.engine.pullFeed('customers');
      const all = [...homed, ...elsewhere].map((c) => c.memberCode).sort();
      expect(await cachedCodes()).toEqual(all);
      expect(await feedState()).toMatchObject({ feedId: 'chain', rowsDone: 12 });
      expect(fromZero).toEqual(['chain']);

      // Work the hub has not seen: an edit of a member homed here, a registration, an order.
      const { db, secrets } = terminal;
      const member = (await terminal.db.customerStore.all()).find(
        (c) => c.memberCode === homed[2]!.memberCode,
      )!;
      const editId = newId();
      const edit = await enqueueProfileEdit(db, {
        id: editId,
        customerId: member.id,
        guideId: here.guide.id,
        at: new Date().toISOString(),
        changes: { notes: '喜欢驼色大衣' },
      });
      expect(edit.ok).toBe(true);
      const registrationId = newId();
      const registered = await enqueueRegistration(db, secrets, {
        id: registrationId,
        name: '新会员',
        phone: '139 0000 7731',
        guideId: here.guide.id,
      });
      expect(registered.ok).toBe(true);
      const order = orderFor(here, 'DR-1', { customerId: member.id });
      expect((await enqueueOrder(db, order)).ok).toBe(true);

      await restartWith('store');
      // Scope entries made while the hub served the chain are numbered by its 1 s settle round
      // (the chain feed does not wait for them): let the store's feed hold its members first, as
      // a terminal hearing `customers:changed` would (read with the store's other terminal).
      await waitFor(
        async () => (await customerFeed(hub, here.terminals[1]!.token)).length === homed.length,
        "the store's members numbered into its feed",
      );
      await terminal.engine.pullFeed('customers');
      const storeFeed: CustomerFeedId = `store:${here.storeId}`;
      expect(await cachedCodes()).toEqual(homed.map((c) => c.memberCode).sort());
      expect(fromZero).toEqual(['chain', storeFeed]);
      expect(await feedState()).toMatchObject({ feedId: storeFeed, rowsDone: 7 });
      // The edit is laid over the member the store feed brought back; nothing unsent went.
      expect((await getCustomer(db, member.id))?.notes).toBe('喜欢驼色大衣');
      expect((await customerById(db, registrationId))?.name).toBe('新会员');
      expect(await db.outbox.where('status').equals('pending').count()).toBe(3);

      // Exactly once: pulled again, nothing restarts.
      await terminal.engine.pullFeed('customers');
      expect(fromZero).toEqual(['chain', storeFeed]);

      // The unsent work reaches the hub; the registration (made here) comes back in the store feed.
      await terminal.engine.requestDrain();
      for (const id of [editId, registrationId, order.id])
        expect((await outboxEntry(db, id))?.status).toBe('synced');
      await terminal.engine.pullFeed('customers');
      expect(await cachedCodes()).toHaveLength(8);
      expect((await getCustomer(db, registrationId))?.name).toBe('新会员');
      expect((await getCustomer(db, member.id))?.notes).toBe('喜欢驼色大衣');
      expect(fromZero).toEqual(['chain', storeFeed]);
    },
  );

  it(
    'store → chain: the store cache is replaced by the whole chain, once',
    { timeout: 180_000 },
    async () => {
      await restartWith('chain');
      await terminal.engine.pullFeed('customers');
      await terminal.engine.pullFeed('customers');
      expect(fromZero.slice(2)).toEqual(['chain']);
      expect(await cachedCodes()).toHaveLength(13);
      expect(await cachedCodes()).toEqual(
        expect.arrayContaining(elsewhere.map((c) => c.memberCode)),
      );
      expect((await feedState()).feedId).toBe('chain');
    },
  );
});
