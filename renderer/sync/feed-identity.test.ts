import { describe, expect, it, vi } from 'vitest';
import { newId } from '../../shared/domain/ids';
import type { CustomerFeedId, CustomerProfile, Order } from '../../shared/protocol';
import { customerById, searchCustomers } from '../data/customers';
import { TerminalDb, type SyncStateRow } from '../data/database';
import { enqueueOrder, enqueueRegistration } from '../data/outbox';
import { enqueueProfileEdit } from '../data/profile-edits';
import { memorySecretStore } from '../data/secret-store';
import { freshIdb, makeProfile, TEST_PHONE_KEY } from '../data/testing';
import { FakeHub } from '../testing/fake-hub';
import type { HubClient } from './hub-client';
import { SyncEngine } from './sync-engine';

/**
 * Issue #17: each customer feed page says which feed it is of (`chain` or `store:<id>`). A page
 * of another feed than the cached one empties the customer cache and restarts the feed from 0,
 * once, in one transaction; nothing unsent goes.
 */

const storeId = newId();
const STORE_FEED: CustomerFeedId = `store:${storeId}`;

/** A terminal on fake IndexedDB whose pulls from cursor 0 are counted (a restart of the feed). */
function setup(idb = freshIdb()) {
  const hub = new FakeHub(TEST_PHONE_KEY);
  const secrets = memorySecretStore({ token: 'tok', phoneHashKey: TEST_PHONE_KEY });
  const fromZero: CustomerFeedId[] = [];
  const build = () => {
    const db = new TerminalDb(newId(), idb);
    const base = hub.client();
    const client: HubClient = {
      ...base,
      pullCustomers: (after, limit, withTotal) => {
        if (after === '0') fromZero.push(hub.customerFeed);
        return base.pullCustomers(after, limit, withTotal);
      },
    };
    const engine = new SyncEngine({ db, hub: client, secrets, pageSize: 4 });
    return { db, engine };
  };
  return { hub, secrets, fromZero, build, ...build() };
}

/** The hub now serves `feed` with only `members` in it (each at a new place in the sequence). */
function switchFeed(hub: FakeHub, feed: CustomerFeedId, members: readonly CustomerProfile[]) {
  hub.customerFeed = feed;
  hub.customers.clear();
  for (const m of members) hub.upsertCustomer(m);
}

const cachedIds = async (db: TerminalDb) => (await db.customerStore.all()).map((c) => c.id).sort();
const customerState = async (db: TerminalDb) => (await db.syncState.get('customers'))!;

describe('customer feed identity', () => {
  it('a fresh terminal takes the hub feed as its own: no reset', async () => {
    const { hub, db, engine, fromZero } = setup();
    hub.customerFeed = STORE_FEED;
    for (let i = 0; i < 6; i++) hub.upsertCustomer(await makeProfile());
    await engine.pullFeed('customers');
    expect(await db.customerStore.count()).toBe(6);
    expect(fromZero).toEqual([STORE_FEED]);
    expect(await customerState(db)).toMatchObject({ feedId: STORE_FEED, rowsDone: 6 });
    await engine.pullFeed('customers');
    expect(fromZero).toEqual([STORE_FEED]);
  });

  it('chain → store: the chain cache goes, the store feed restarts from 0 once; nothing unsent is lost', async () => {
    const { hub, db, engine, secrets, fromZero } = setup();
    const members = await Promise.all(
      Array.from({ length: 10 }, (_, i) => makeProfile({ name: `会员${i}` })),
    );
    for (const m of members) hub.upsertCustomer(m);
    await engine.pullFeed('customers');
    expect(await db.customerStore.count()).toBe(10);
    expect((await customerState(db)).feedId).toBe('chain');

    // Offline work that has not reached the hub: an edit of a member who stays in the store's
    // scope, an edit of one who leaves it, a registration and an order.
    const [stays, leaves] = [members[2]!, members[7]!];
    const edit = (customerId: string, notes: string) =>
      enqueueProfileEdit(db, {
        id: newId(),
        customerId,
        guideId: newId(),
        at: new Date().toISOString(),
        changes: { notes },
      });
    expect((await edit(stays.id, '喜欢驼色')).ok).toBe(true);
    expect((await edit(leaves.id, '下周再来')).ok).toBe(true);
    const registrationId = newId();
    const registered = await enqueueRegistration(db, secrets, {
      id: registrationId,
      name: '新会员',
      phone: '139 1234 5678',
    });
    expect(registered.ok).toBe(true);
    const order: Order = {
      id: newId(),
      storeId,
      terminalId: newId(),
      guideId: newId(),
      paymentMethod: 'wechat',
      customerId: stays.id,
      createdAt: new Date().toISOString(),
      lines: [{ sku: 'SKU-1', quantity: 1, unitPrice: 19_900, discount: 0 }],
    };
    expect((await enqueueOrder(db, order)).ok).toBe(true);
    const outboxBefore = (await db.outbox.toArray()).map((e) => e.id).sort();

    // The hub now serves this store's scope: three of the ten, and one newcomer.
    const newcomer = await makeProfile({ name: '新来的' });
    const scope = [members[0]!, stays, members[5]!, newcomer];
    switchFeed(hub, STORE_FEED, scope);
    await engine.pullFeed('customers');

    expect(await cachedIds(db)).toEqual(scope.map((m) => m.id).sort());
    expect(fromZero).toEqual(['chain', STORE_FEED]);
    expect(await customerState(db)).toMatchObject({
      feedId: STORE_FEED,
      cursor: hub.cursor(),
      rowsDone: 4,
    });
    // The pending edit is laid over the member the new feed brought, as over any page.
    expect((await db.customerStore.get(stays.id))?.notes).toBe('喜欢驼色');
    expect(await db.customerStore.get(leaves.id)).toBeUndefined();
    // Everything unsent is still there: the outbox, the registration not yet confirmed.
    expect((await db.outbox.toArray()).map((e) => e.id).sort()).toEqual(outboxBefore);
    expect(await db.outbox.where('status').equals('pending').count()).toBe(4);
    expect((await customerById(db, registrationId))?.name).toBe('新会员');
    expect((await searchCustomers(db, secrets, { query: '新会员' })).map((c) => c.id)).toEqual([
      registrationId,
    ]);

    // Exactly once: later changes come as ordinary pages.
    hub.upsertCustomer({ ...newcomer, name: '新来的会员' });
    await engine.pullFeed('customers');
    await engine.pullFeed('customers');
    expect(fromZero).toEqual(['chain', STORE_FEED]);
    expect((await db.customerStore.get(newcomer.id))?.name).toBe('新来的会员');
    expect(await db.customerStore.count()).toBe(4);
  });

  it('a terminal at the head of the chain feed resets on an empty store page too', async () => {
    const { hub, db, engine, fromZero } = setup();
    const members = await Promise.all(Array.from({ length: 3 }, () => makeProfile()));
    for (const m of members) hub.upsertCustomer(m);
    await engine.pullFeed('customers');
    // Nothing new after the terminal's cursor, but the page is of the store's feed.
    hub.customerFeed = STORE_FEED;
    hub.customers.delete(members[1]!.id);
    hub.customers.delete(members[2]!.id);
    await engine.pullFeed('customers');
    expect(await cachedIds(db)).toEqual([members[0]!.id]);
    expect(fromZero).toEqual(['chain', STORE_FEED]);
  });

  it('a cursor cached before feed identities is of an unknown feed: reset once', async () => {
    const { hub, db, engine, fromZero } = setup();
    const members = await Promise.all(Array.from({ length: 6 }, () => makeProfile()));
    for (const m of members) hub.upsertCustomer(m);
    await engine.pullFeed('customers');
    // As an older build left it: a cursor, no feed identity.
    const { feedId: _gone, ...legacy } = await customerState(db);
    await db.syncState.put(legacy as SyncStateRow);
    switchFeed(hub, STORE_FEED, members.slice(0, 2));
    await engine.pullFeed('customers');
    expect(await cachedIds(db)).toEqual(
      members
        .slice(0, 2)
        .map((m) => m.id)
        .sort(),
    );
    expect(fromZero).toEqual(['chain', STORE_FEED]);
    await engine.pullFeed('customers');
    expect(fromZero).toEqual(['chain', STORE_FEED]);
  });

  it('store → chain (the hub switched back): the store cache is replaced by the chain', async () => {
    const { hub, db, engine, fromZero } = setup();
    const chain = await Promise.all(Array.from({ length: 9 }, () => makeProfile()));
    hub.customerFeed = STORE_FEED;
    for (const m of chain.slice(0, 3)) hub.upsertCustomer(m);
    await engine.pullFeed('customers');
    switchFeed(hub, 'chain', chain);
    await engine.pullFeed('customers');
    expect(await cachedIds(db)).toEqual(chain.map((m) => m.id).sort());
    expect(fromZero).toEqual([STORE_FEED, 'chain']);
    expect((await customerState(db)).feedId).toBe('chain');
  });

  it('a crash in the middle of the reset leaves the old cache and cursor whole; the next pull resets', async () => {
    const idb = freshIdb();
    const { hub, db, engine, fromZero, build } = setup(idb);
    const members = await Promise.all(Array.from({ length: 8 }, () => makeProfile()));
    for (const m of members) hub.upsertCustomer(m);
    await engine.pullFeed('customers');
    const before = await customerState(db);
    switchFeed(hub, STORE_FEED, members.slice(0, 3));
    // The power goes after the profiles were cleared, before the cursor is written.
    const put = db.syncState.put.bind(db.syncState);
    const spy = vi.spyOn(db.syncState, 'put').mockImplementation((row, key) => {
      if (row.feed === 'customers' && row.cursor === '0') throw new Error('power cut');
      return put(row, key);
    });
    await expect(engine.pullFeed('customers')).rejects.toThrow(/power cut/);
    spy.mockRestore();
    expect(await customerState(db)).toEqual(before);
    expect(await cachedIds(db)).toEqual(members.map((m) => m.id).sort());
    expect(await db.customerStore.count()).toBe(8);

    // The app starts again on the same IndexedDB: one reset, then the store's three.
    engine.stop();
    db.close();
    const restarted = build();
    await restarted.engine.pullFeed('customers');
    expect(await cachedIds(restarted.db)).toEqual(
      members
        .slice(0, 3)
        .map((m) => m.id)
        .sort(),
    );
    expect(fromZero).toEqual(['chain', STORE_FEED]);
  });
});
