import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import {
  enqueueOrder,
  enqueueRegistration,
  outboxSummary,
  pendingEntries,
  recordResults,
  rejectedEntries,
} from './outbox';
import { openOutboxEntry } from './outbox-rows';
import { decryptPhone } from './phone-cipher';
import { memorySecretStore } from './secret-store';
import { searchCustomers } from './customers';
import { freshDb, TEST_PHONE_KEY } from './testing';

const secrets = memorySecretStore({ token: 't', phoneHashKey: TEST_PHONE_KEY });
const anOrder = (over: Record<string, unknown> = {}) => ({
  id: newId(),
  storeId: newId(),
  terminalId: newId(),
  guideId: newId(),
  paymentMethod: 'alipay',
  createdAt: '2026-11-02T10:00:00Z',
  lines: [{ sku: 'SKU-1', quantity: 2, unitPrice: 19_900, discount: 900 }],
  ...over,
});

describe('outbox', () => {
  it('an order is pending until the hub answers, then synced; rejected ones keep the reason', async () => {
    const db = freshDb();
    const t0 = new Date('2026-11-02T10:00:00Z');
    const a = anOrder();
    const b = anOrder();
    const c = anOrder();
    for (const [i, o] of [a, b, c].entries()) {
      const r = await enqueueOrder(db, o, new Date(t0.getTime() + i * 1000));
      expect(r.ok).toBe(true);
    }
    expect(await outboxSummary(db)).toEqual({
      pendingCount: 3,
      oldestPendingAt: '2026-11-02T10:00:00.000Z',
      rejectedCount: 0,
    });
    expect((await pendingEntries(db, 2)).map((e) => e.id)).toEqual([a.id, b.id].sort());

    await recordResults(db, [
      { id: a.id, status: 'accepted' },
      { id: b.id, status: 'duplicate' },
      { id: c.id, status: 'rejected', reason: 'unknown sku SKU-1' },
    ]);
    expect(await outboxSummary(db)).toMatchObject({ pendingCount: 0, rejectedCount: 1 });
    const rejected = await rejectedEntries(db);
    expect(rejected).toMatchObject([{ id: c.id, status: 'rejected', reason: 'unknown sku SKU-1' }]);

    // A late duplicate answer never resurrects or flips a settled entry.
    await recordResults(db, [{ id: c.id, status: 'accepted' }]);
    expect((await db.outbox.get(c.id))?.status).toBe('rejected');
  });

  it('invalid orders are refused before anything is written', async () => {
    const db = freshDb();
    const r = await enqueueOrder(db, anOrder({ lines: [] }));
    expect(r.ok).toBe(false);
    expect(await db.outbox.count()).toBe(0);
  });

  it('enqueueing the same order id twice keeps one entry', async () => {
    const db = freshDb();
    const o = anOrder();
    await enqueueOrder(db, o);
    await enqueueOrder(db, o);
    expect(await db.outbox.count()).toBe(1);
  });

  it('an offline registration is searchable at once and never stores the raw phone', async () => {
    const db = freshDb();
    const id = newId();
    const r = await enqueueRegistration(db, secrets, { id, name: '赵敏', phone: '139 8765 4321' });
    expect(r.ok).toBe(true);
    const hits = await searchCustomers(db, secrets, { query: '13987654321' });
    expect(hits).toMatchObject([{ id, provisional: true, phoneLast4: '4321' }]);
    const dump = JSON.stringify([
      await db.outbox.toArray(),
      await db.customerStore.all(),
      await db.provisionalCustomers.toArray(),
    ]);
    expect(dump).not.toContain('98765');
    // Sealed at rest: neither the entry nor the provisional row shows the name in clear but for
    // the provisional row's lookup keys.
    expect(JSON.stringify(await db.outbox.toArray())).not.toContain('赵敏');
    const entry = await pendingEntries(db, 10).then((all) => all.find((e) => e.id === id));
    expect(entry?.kind).toBe('registration');
    if (entry?.kind !== 'registration') return;
    expect(await decryptPhone(TEST_PHONE_KEY, entry.registration.phoneCipher!)).toBe(
      '+8613987654321',
    );

    await recordResults(db, [{ id, status: 'accepted' }]);
    const synced = await openOutboxEntry(db.sealer, (await db.outbox.get(id))!);
    expect(synced.status).toBe('synced');
    expect(synced.kind === 'registration' && synced.registration.phoneCipher).toBeNull();
    expect(synced.kind === 'registration' && synced.registration.name).toBe('赵敏');
  });

  it('registration needs an enrolled terminal (phone-hash key)', async () => {
    const db = freshDb();
    const r = await enqueueRegistration(db, memorySecretStore({}), {
      id: newId(),
      name: 'x',
      phone: '13987654321',
    });
    expect(r).toMatchObject({ ok: false, error: { code: 'not_enrolled' } });
  });
});
