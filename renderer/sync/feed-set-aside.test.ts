import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { MAX_SPEND_FEN } from '../../shared/domain/limits';
import type { CustomerProfile, ProductItem, StaffMember } from '../../shared/protocol';
import { setAsideRows } from '../data/feed-rejects';
import { memorySecretStore } from '../data/secret-store';
import { freshDb, makeGuide, makeProduct, makeProfile, TEST_PHONE_KEY } from '../data/testing';
import { FakeHub } from '../testing/fake-hub';
import type { HubClient } from './hub-client';
import { SyncEngine } from './sync-engine';

const storeId = newId();
const KEEP_ALL = { alertsDays: 36_500, syncedDays: 36_500 };

function setup(wrap: (client: HubClient) => HubClient = (c) => c) {
  const db = freshDb(newId());
  const hub = new FakeHub(TEST_PHONE_KEY);
  const engine = new SyncEngine({
    db,
    hub: wrap(hub.client()),
    secrets: memorySecretStore({ token: 'tok', phoneHashKey: TEST_PHONE_KEY }),
    pageSize: 10,
    retention: KEEP_ALL,
    autoRetry: false,
  });
  return { hub, db, engine };
}

/** A profile out of the protocol's range: what an unpatched hub sent after one huge order. */
const poisoned = async (): Promise<CustomerProfile> => ({
  ...(await makeProfile({ name: '李娜' })),
  lifetimeSpend: MAX_SPEND_FEN + 1,
});

describe('a feed row that fails validation is set aside; the rest of its page applies', () => {
  it('customers: the bad row is kept for diagnosis, reported, and the next pull goes on', async () => {
    const { hub, db, engine } = setup();
    const before: CustomerProfile[] = [];
    for (let i = 0; i < 4; i++) before.push(hub.upsertCustomer(await makeProfile()));
    const bad = hub.upsertCustomer(await poisoned());
    for (let i = 0; i < 7; i++) before.push(hub.upsertCustomer(await makeProfile()));

    await engine.syncNow();

    // 11 of 12 applied over two pages; the page holding the bad row moved the cursor past it.
    expect(await db.customerStore.count()).toBe(11);
    expect(await db.customerStore.get(bad.id)).toBeUndefined();
    for (const c of before) expect(await db.customerStore.get(c.id)).toBeDefined();
    expect((await db.syncState.get('customers'))?.cursor).toBe(before.at(-1)!.seq);
    expect(engine.status.get()).toMatchObject({ lastError: null, setAsideCount: 1 });
    // Kept here with its id, place and reason (never its values), and reported to the hub.
    const [row] = await setAsideRows(db);
    expect(row).toMatchObject({ feed: 'customers', id: bad.id, seq: bad.seq, reported: 1 });
    expect(row!.reason).toMatch(/^lifetimeSpend: /);
    expect(row!.reason).not.toContain(String(MAX_SPEND_FEN + 1));
    expect(hub.feedRejects).toEqual([
      { feed: 'customers', id: bad.id, seq: bad.seq, reason: row!.reason, at: row!.at },
    ]);

    // The next pull continues from the cursor: new rows arrive, the bad one is not pulled again.
    const later = hub.upsertCustomer(await makeProfile());
    await engine.pullFeed('customers');
    expect(await db.customerStore.get(later.id)).toBeDefined();
    expect(hub.feedRejects).toHaveLength(1);

    // The hub fixes the row: it arrives and leaves the set-aside list.
    const fixed = hub.upsertCustomer({ ...bad, lifetimeSpend: MAX_SPEND_FEN });
    await engine.pullFeed('customers');
    expect((await db.customerStore.get(fixed.id))?.lifetimeSpend).toBe(MAX_SPEND_FEN);
    expect(await setAsideRows(db)).toEqual([]);
    expect(engine.status.get().setAsideCount).toBe(0);
  });

  it('catalog: a product out of range is set aside, the others are applied', async () => {
    const { hub, db, engine } = setup();
    const coat = makeProduct({ sku: 'COAT-1' });
    const scarf = makeProduct({ sku: 'SCARF-1' });
    const bad = makeProduct({ sku: 'BAD-1', stock: 5_000_000 });
    hub.upsertProduct(coat);
    hub.upsertProduct(bad as ProductItem);
    hub.upsertProduct(scarf);

    await engine.pullFeed('catalog');

    expect((await db.products.toArray()).map((p) => p.sku).sort()).toEqual(['COAT-1', 'SCARF-1']);
    const [row] = await setAsideRows(db);
    expect(row).toMatchObject({ feed: 'catalog', id: bad.id, reported: 1 });
    expect(row!.reason).toMatch(/^stock: /);
    expect(hub.feedRejects.map((r) => r.id)).toEqual([bad.id]);
    expect((await db.syncState.get('catalog'))?.cursor).toBe('3');
  });

  it('staff: a bad row is set aside and the guide keeps the row this terminal had', async () => {
    const { hub, db, engine } = setup();
    const fang = makeGuide({ storeId, name: '王芳' });
    const na = makeGuide({ storeId, name: '李娜' });
    hub.staff = [fang, na];
    await engine.pullStaff();
    expect(await db.staff.count()).toBe(2);

    const wei = makeGuide({ storeId, name: '张伟' });
    hub.staff = [fang, { ...na, role: 'owner' } as unknown as StaffMember, wei];
    await engine.pullStaff();

    expect((await db.staff.toArray()).map((s) => s.name).sort()).toEqual(
      ['张伟', '李娜', '王芳'].sort(),
    );
    expect((await db.staff.get(na.id))?.role).toBe('guide');
    const [row] = await setAsideRows(db);
    expect(row).toMatchObject({ feed: 'staff', id: na.id, seq: null, reported: 1 });
    expect(row!.reason).toMatch(/^role: /);
    expect(row!.reason).not.toContain('李娜');
  });

  it('a report that fails does not fail the sync; the next pull reports it', async () => {
    let reportsDown = true;
    const { hub, db, engine } = setup((client) => ({
      ...client,
      reportFeedRejects: (rejects) =>
        reportsDown
          ? Promise.resolve({ ok: false, error: { code: 'network', message: 'fetch failed' } })
          : client.reportFeedRejects(rejects),
    }));
    const bad = hub.upsertCustomer(await poisoned());
    const good = hub.upsertCustomer(await makeProfile());

    await engine.syncNow();

    expect(engine.status.get().lastError).toBeNull();
    expect(await db.customerStore.get(good.id)).toBeDefined();
    expect((await setAsideRows(db)).map((r) => [r.id, r.reported])).toEqual([[bad.id, 0]]);
    expect(hub.feedRejects).toEqual([]);

    reportsDown = false;
    await engine.pullFeed('customers');
    expect(hub.feedRejects.map((r) => r.id)).toEqual([bad.id]);
    expect((await setAsideRows(db)).map((r) => r.reported)).toEqual([1]);
  });
});
