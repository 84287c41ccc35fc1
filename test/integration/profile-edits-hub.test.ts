import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { openDatabase } from '../../server/db/database';
import { endpoints, type ProfileChanges, type ProfileEdit } from '../../shared/protocol';
import { callRoute, hubApi, must } from '../support/api';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import type { HubProcess } from '../support/hub-process';
import { customerFeed, unique } from '../support/seed';

/** A note that names a person: it must never reach the audit trail. */
const NOTE = '她妹妹陈思琪下周结婚，想要一条红色连衣裙';

/**
 * Profile upkeep (#16 item 7) through a real hub: edits taken once by their terminal id, merged
 * per field (a field not in the edit stays; of two edits of one field the later received wins,
 * whatever the terminals' clocks say), carried in the customer feed, audited with the field names
 * only, moved by a merge and gone with an erasure.
 */
describeOnBackends('profile edits: per-field merge through the hub', (backend) => {
  let hub: HubProcess;
  let store: StoreFixture;
  let token: string;
  let customerId: string;
  let merged: { survivor: string; duplicate: string };

  const register = async (name: string) =>
    (
      await must(
        hubApi(hub, { token }).call(endpoints.registerCustomer, {
          body: {
            id: newId(),
            name,
            phone: `137${unique().padStart(8, '0').slice(-8)}`,
            sizes: { top: 'S', shoe: '36' },
            notes: '喜欢棉麻',
          },
        }),
      )
    ).customer.id;

  beforeAll(async () => {
    hub = await backend.startHub();
    store = await createStoreFixture(hub);
    token = store.terminals[0]!.token;
    customerId = await register('林雨桐');
  });
  afterAll(async () => backend.cleanup());

  const edit = (changes: ProfileChanges, over: Partial<ProfileEdit> = {}): ProfileEdit => ({
    id: newId(),
    customerId,
    guideId: store.guide.id,
    at: '2026-12-04T10:00:00.000Z',
    changes,
    ...over,
  });
  const post = async (edits: ProfileEdit[], terminal = 0) =>
    (
      await must(
        hubApi(hub, { token: store.terminals[terminal]!.token }).call(endpoints.postProfileEdits, {
          body: { edits },
        }),
      )
    ).results;
  const profile = async (id = customerId) =>
    (await customerFeed(hub, token)).find((p) => p.id === id);
  const editable = async (id = customerId) => {
    const p = await profile(id);
    return (
      p && {
        sizes: p.sizes,
        favouriteCategories: p.favouriteCategories,
        tags: p.tags,
        notes: p.notes,
      }
    );
  };

  it('an edit changes only the fields it names and is taken once', async () => {
    const first = edit({
      sizes: { top: 'M', dress: 'M' },
      favouriteCategories: ['连衣裙', '衬衫'],
    });
    expect(await post([first])).toEqual([{ id: first.id, status: 'accepted' }]);
    expect(await editable()).toEqual({
      sizes: { top: 'M', dress: 'M', shoe: '36' },
      favouriteCategories: ['连衣裙', '衬衫'],
      tags: [],
      notes: '喜欢棉麻',
    });
    // Only the notes and tags; a size cleared (null): the rest stays as the first edit left it.
    const second = edit({ notes: NOTE, tags: ['VIP'], sizes: { shoe: null } });
    expect((await post([second]))[0]!.status).toBe('accepted');
    // The answer was lost and the terminal sends both again: nothing new, nothing undone.
    expect(await post([first, second, first])).toEqual([
      { id: first.id, status: 'duplicate' },
      { id: second.id, status: 'duplicate' },
      { id: first.id, status: 'duplicate' },
    ]);
    expect(await editable()).toEqual({
      sizes: { top: 'M', dress: 'M' },
      favouriteCategories: ['连衣裙', '衬衫'],
      tags: ['VIP'],
      notes: NOTE,
    });
  });

  it('of two edits of one field the one the hub received later wins, whatever the terminal clocks say', async () => {
    // Terminal B's clock runs an hour ahead; its edit arrives first. A's, dated earlier, arrives
    // later and wins the field both changed; the field only B changed keeps B's value.
    const fromB = edit(
      { sizes: { top: 'L' }, tags: ['VIP', '常客'] },
      { at: '2026-12-04T12:00:00.000Z', guideId: store.guide2.id },
    );
    const fromA = edit({ sizes: { top: 'XL' } }, { at: '2026-12-04T11:00:00.000Z' });
    expect((await post([fromB], 1))[0]!.status).toBe('accepted');
    expect((await post([fromA], 0))[0]!.status).toBe('accepted');
    let now = await editable();
    expect(now?.sizes.top).toBe('XL');
    expect(now?.tags).toEqual(['VIP', '常客']);
    // Within one call, the batch's order is the order received.
    const one = edit({ sizes: { bottom: '27' } });
    const two = edit({ sizes: { bottom: '28' } }, { at: '2026-12-04T09:00:00.000Z' });
    expect((await post([one, two])).map((r) => r.status)).toEqual(['accepted', 'accepted']);
    now = await editable();
    expect(now?.sizes).toEqual({ top: 'XL', bottom: '28', dress: 'M' });
    expect(now?.notes).toBe(NOTE);
  });

  it('audits who changed which fields — names only, never the values', async () => {
    const audit = await must(
      hubApi(hub).call(endpoints.adminAudit, { query: { customerId, limit: 100 } }),
    );
    const edits = audit.items.filter((e) => e.action === 'customer_profile_edited');
    expect(edits).toHaveLength(6);
    const byAt = edits.map((e) => [e.source, e.guide?.id, e.terminal?.id, e.detail]);
    expect(byAt).toContainEqual([
      'hub',
      store.guide2.id,
      store.terminals[1]!.id,
      { fields: ['sizes.top', 'tags'] },
    ]);
    expect(byAt).toContainEqual([
      'hub',
      store.guide.id,
      store.terminals[0]!.id,
      { fields: ['sizes.shoe', 'tags', 'notes'] },
    ]);
    const text = JSON.stringify(audit);
    expect(text).not.toContain('陈思琪');
    expect(text).not.toContain('VIP');
    expect(text).not.toContain('"XL"');
  });

  it('refuses a guide of another store, a clock a week ahead and an unknown member, writing none; malformed edits are a 400', async () => {
    const before = await editable();
    const other = await createStoreFixture(hub);
    const unknown = newId();
    const results = await post([
      edit({ notes: 'x' }, { guideId: other.guide.id }),
      edit({ notes: 'x' }, { at: new Date(Date.now() + 7 * 86_400_000).toISOString() }),
      edit({ notes: 'x' }, { customerId: unknown }),
    ]);
    expect(results.map((r) => [r.status, r.code, r.about])).toEqual([
      ['rejected', 'guide_inactive', undefined],
      ['rejected', 'implausible_time', undefined],
      ['rejected', 'unknown_customer', [unknown]],
    ]);
    expect(await editable()).toEqual(before);
    for (const changes of [
      {},
      { sizes: { hat: 'L' } },
      { tags: ['a', 'a'] },
      { notes: 'x'.repeat(2001) },
      { favouriteCategories: ['   '] },
    ]) {
      const refused = await callRoute(
        hub,
        endpoints.postProfileEdits,
        { body: { edits: [edit(changes as ProfileChanges)] } },
        { token },
      );
      expect([JSON.stringify(changes), refused.status, refused.error?.code]).toEqual([
        JSON.stringify(changes),
        400,
        'invalid_input',
      ]);
    }
    expect(await editable()).toEqual(before);
  });

  it('a merge moves the duplicate’s change log to the survivor; an edit queued for the duplicate lands on the survivor', async () => {
    const survivor = await register('许静');
    const duplicate = await register('许静');
    await post([edit({ tags: ['旧'] }, { customerId: duplicate })]);
    await must(
      hubApi(hub).call(endpoints.mergeCustomers, {
        body: { sourceId: duplicate, targetId: survivor },
      }),
    );
    const late = edit({ favouriteCategories: ['外套'] }, { customerId: duplicate });
    expect((await post([late]))[0]!.status).toBe('accepted');
    expect((await profile(survivor))?.favouriteCategories).toEqual(['外套']);
    merged = { survivor, duplicate };
  });

  it('erasing the member deletes the change log (a merged pair’s stays with the survivor); a late edit for them is refused as erased', async () => {
    await must(
      hubApi(hub).call(endpoints.adminEraseCustomer, {
        params: { id: customerId },
        body: { reason: 'customer request' },
      }),
    );
    const late = edit({ notes: NOTE });
    expect((await post([late]))[0]).toMatchObject({
      status: 'rejected',
      code: 'customer_erased',
      about: [customerId],
    });
    await hub.stop();
    const db = await openDatabase({ databaseUrl: hub.options.databaseUrl, dataDir: hub.dataDir });
    try {
      const [log] = await db.query<{ n: number }>(
        'select count(*)::int as n from customer_profile_edits where customer_id = $1',
        [customerId],
      );
      expect(log!.n).toBe(0);
      const [row] = await db.query<{ notes: string; tags: unknown; sizes: unknown }>(
        'select notes, tags, sizes from customers where id = $1',
        [customerId],
      );
      expect(row).toEqual({ notes: '', tags: [], sizes: {} });
      // The merged pair's log sits with the survivor (the earlier test's edits).
      const rows = await db.query<{ customer_id: string; n: number }>(
        `select customer_id::text as customer_id, count(*)::int as n from customer_profile_edits
          where customer_id in ($1, $2) group by customer_id`,
        [merged.survivor, merged.duplicate],
      );
      expect(rows).toEqual([{ customer_id: merged.survivor, n: 2 }]);
    } finally {
      await db.close();
    }
  });
});
