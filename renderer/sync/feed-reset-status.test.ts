import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import type { CustomerFeedId, CustomerProfile } from '../../shared/protocol';
import { TerminalDb } from '../data/database';
import { memorySecretStore } from '../data/secret-store';
import { freshIdb, makeProfile, TEST_PHONE_KEY } from '../data/testing';
import { FakeHub } from '../testing/fake-hub';
import type { HubClient } from './hub-client';
import { SyncEngine } from './sync-engine';
import type { CustomerResync, SyncProgress } from './sync-status';

/**
 * Issue #17: after a feed reset the customer cache fills again from 0; the sync status says so
 * (`customerResync`, with the run's `progress`) so the terminal can tell the guide, and that it
 * finished — also when the re-fill was cut short and resumed after a restart.
 */

const STORE_FEED: CustomerFeedId = `store:${newId()}`;

function setup(idb = freshIdb()) {
  const hub = new FakeHub(TEST_PHONE_KEY);
  const secrets = memorySecretStore({ token: 'tok', phoneHashKey: TEST_PHONE_KEY });
  /** `cut`: the network goes right after the first page from 0 (the new feed's first page). */
  const network = { cut: false, fromZeroSeen: false };
  // The database is the terminal's: a restart opens the same one.
  const terminalId = newId();
  const build = () => {
    const db = new TerminalDb(terminalId, idb);
    const base = hub.client();
    const client: HubClient = {
      ...base,
      pullCustomers: (after, limit, withTotal) => {
        if (network.cut && after === '0') network.fromZeroSeen = true;
        else if (network.cut && network.fromZeroSeen)
          return Promise.resolve({
            ok: false as const,
            error: { code: 'network' as const, message: 'fetch failed' },
          });
        return base.pullCustomers(after, limit, withTotal);
      },
    };
    const engine = new SyncEngine({ db, hub: client, secrets, pageSize: 4, autoRetry: false });
    type Seen = { resync: CustomerResync | null; progress: SyncProgress | null };
    const seen: Seen[] = [];
    engine.subscribe((s) => seen.push({ resync: s.customerResync, progress: s.progress }));
    return { db, engine, seen };
  };
  return { hub, network, build, ...build() };
}

function switchFeed(hub: FakeHub, feed: CustomerFeedId, members: readonly CustomerProfile[]) {
  hub.customerFeed = feed;
  hub.customers.clear();
  for (const m of members) hub.upsertCustomer(m);
}

const members = (n: number) => Promise.all(Array.from({ length: n }, () => makeProfile()));

describe('customer re-sync status after a feed reset', () => {
  it('running with the new feed counted from 0 against its total, then done; nothing on ordinary pulls', async () => {
    const { hub, db, engine, seen } = setup();
    const chain = await members(10);
    for (const m of chain) hub.upsertCustomer(m);
    await engine.pullFeed('customers');
    expect(seen.every((s) => s.resync === null)).toBe(true);

    switchFeed(hub, STORE_FEED, [...chain.slice(0, 6), ...(await members(3))]);
    seen.length = 0;
    await engine.pullFeed('customers');
    const running = seen.filter((s) => s.resync?.phase === 'running');
    // What the notice shows while it runs: 0 / …, then 4 / 9, 8 / 9, 9 / 9 (pages of 4).
    expect(running.map((s) => s.progress && `${s.progress.done}/${s.progress.total}`)).toEqual([
      '0/null',
      '4/9',
      '8/9',
      '9/9',
    ]);
    expect(running.every((s) => s.resync?.phase === 'running' && s.resync.before === 0)).toBe(true);
    expect(engine.status.get().customerResync).toEqual({ phase: 'done', rows: 9 });
    expect(await db.customerStore.count()).toBe(9);
    expect((await db.syncState.get('customers'))?.resyncing).toBeUndefined();

    // Later pulls are ordinary: the finished notice stays until the guide dismisses it.
    hub.upsertCustomer(await makeProfile());
    await engine.pullFeed('customers');
    expect(engine.status.get().customerResync).toEqual({ phase: 'done', rows: 9 });
    engine.dismissResyncNotice();
    expect(engine.status.get().customerResync).toBeNull();
    await engine.pullFeed('customers');
    expect(engine.status.get().customerResync).toBeNull();
  });

  it('a re-fill cut short goes on after a restart, still shown as a re-sync, counted from where it was', async () => {
    const idb = freshIdb();
    const { hub, network, db, engine, build } = setup(idb);
    const chain = await members(12);
    for (const m of chain) hub.upsertCustomer(m);
    await engine.pullFeed('customers');

    switchFeed(hub, STORE_FEED, chain.slice(0, 11));
    // The reset page and one page of the new feed, then the network goes.
    network.cut = true;
    await expect(engine.pullFeed('customers')).rejects.toBeTruthy();
    expect(engine.status.get().customerResync).toEqual({ phase: 'running', before: 0 });
    expect(await db.customerStore.count()).toBe(4);
    expect((await db.syncState.get('customers'))?.resyncing).toBe(true);

    // The app starts again on the same IndexedDB; the network is back.
    engine.stop();
    db.close();
    network.cut = false;
    const restarted = build();
    expect(restarted.engine.status.get().customerResync).toBeNull();
    await restarted.engine.pullFeed('customers');
    const running = restarted.seen.filter((s) => s.resync?.phase === 'running');
    expect(running[0]?.resync).toEqual({ phase: 'running', before: 4 });
    // Shown as before + this run: 4 + 4 of 4 + 7.
    expect(running.map((s) => s.progress && `${s.progress.done}/${s.progress.total}`)).toContain(
      '4/7',
    );
    expect(restarted.engine.status.get().customerResync).toEqual({ phase: 'done', rows: 11 });
    expect(await restarted.db.customerStore.count()).toBe(11);
    expect((await restarted.db.syncState.get('customers'))?.resyncing).toBeUndefined();
  });
});
