import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { unsyncedAuditBatch } from './audit';
import { searchCustomers } from './customers';
import {
  enqueueOrder,
  enqueueRegistration,
  outboxEntry,
  pendingEntries,
  recordResults,
} from './outbox';
import { correctRejected, discardRejected, fixesFor } from './outbox-fixes';
import { decryptPhone } from './phone-cipher';
import { memorySecretStore } from './secret-store';
import { freshDb, TEST_PHONE_KEY } from './testing';

const secrets = memorySecretStore({ token: 't', phoneHashKey: TEST_PHONE_KEY });
const at = new Date('2026-12-04T10:00:00Z');
const anOrder = (over: Record<string, unknown> = {}) => ({
  id: newId(),
  storeId: newId(),
  terminalId: newId(),
  guideId: newId(),
  customerId: newId(),
  paymentMethod: 'alipay',
  createdAt: at.toISOString(),
  lines: [
    { sku: 'COAT-M', quantity: 1, unitPrice: 59_900, discount: 0 },
    { sku: 'GONE-1', quantity: 2, unitPrice: 10_000, discount: 500 },
  ],
  ...over,
});

async function rejectedOrder(
  code: 'unknown_sku' | 'guide_inactive' | 'unknown_customer' | 'wrong_store',
  about?: string[],
) {
  const db = freshDb();
  const order = anOrder();
  await enqueueOrder(db, order, at);
  await recordResults(db, [
    { id: order.id, status: 'rejected', code, reason: 'refused', ...(about ? { about } : {}) },
  ]);
  const entry = await outboxEntry(db, order.id);
  return { db, order, entry: entry! };
}

describe('fixing what the hub refused', () => {
  it('offers the fix each refusal calls for, and none for what only head office can undo', async () => {
    expect(fixesFor((await rejectedOrder('unknown_sku', ['GONE-1'])).entry)).toEqual([
      'drop_refused_items',
    ]);
    // Every line refused: nothing left to sell, it can only be discarded.
    expect(fixesFor((await rejectedOrder('unknown_sku', ['COAT-M', 'GONE-1'])).entry)).toEqual([]);
    expect(fixesFor((await rejectedOrder('guide_inactive')).entry)).toEqual(['assign_guide']);
    expect(fixesFor((await rejectedOrder('unknown_customer')).entry)).toEqual([
      'sell_without_member',
    ]);
    expect(fixesFor((await rejectedOrder('wrong_store')).entry)).toEqual([]);
  });

  it('drops the refused SKUs and queues the rest under the same id, the code cleared', async () => {
    const { db, order } = await rejectedOrder('unknown_sku', ['GONE-1']);
    const fixed = await correctRejected(db, secrets, order.id, { kind: 'drop_refused_items' });
    expect(fixed.ok).toBe(true);
    const [queued] = await pendingEntries(db, 10);
    expect(queued).toMatchObject({
      id: order.id,
      status: 'pending',
      reasonCode: null,
      about: null,
    });
    expect(queued!.kind === 'order' && queued!.order.lines.map((l) => l.sku)).toEqual(['COAT-M']);
    // Once queued it is no longer refused: a second fix is refused.
    const again = await correctRejected(db, secrets, order.id, { kind: 'drop_refused_items' });
    expect(again).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('puts an order of a deactivated guide under the signed-in guide, or sells without the member', async () => {
    const a = await rejectedOrder('guide_inactive');
    const me = newId();
    expect(
      (await correctRejected(a.db, secrets, a.order.id, { kind: 'assign_guide', guideId: me })).ok,
    ).toBe(true);
    const fixedA = await outboxEntry(a.db, a.order.id);
    expect(fixedA?.kind === 'order' && fixedA.order.guideId).toBe(me);

    const b = await rejectedOrder('unknown_customer');
    expect(
      await correctRejected(b.db, secrets, b.order.id, { kind: 'assign_guide', guideId: me }),
    ).toMatchObject({ ok: false });
    expect(
      (await correctRejected(b.db, secrets, b.order.id, { kind: 'sell_without_member' })).ok,
    ).toBe(true);
    const fixedB = await outboxEntry(b.db, b.order.id);
    expect(fixedB?.kind === 'order' && 'customerId' in fixedB.order).toBe(false);
    expect(fixedB?.status).toBe('pending');
  });

  it('takes a new phone number for a refused registration: encrypted, and the provisional profile follows it', async () => {
    const db = freshDb();
    const id = newId();
    await enqueueRegistration(db, secrets, { id, name: '赵敏', phone: '139 8765 4321' }, at);
    await recordResults(db, [
      { id, status: 'rejected', code: 'invalid_phone', reason: 'invalid phone number' },
    ]);
    const bad = await correctRejected(db, secrets, id, { kind: 'new_phone', phone: '12' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const fixed = await correctRejected(db, secrets, id, {
      kind: 'new_phone',
      phone: '138 0013 5678',
    });
    expect(fixed.ok).toBe(true);
    const entry = await outboxEntry(db, id);
    expect(entry?.status).toBe('pending');
    const cipher = entry?.kind === 'registration' ? entry.registration.phoneCipher : null;
    expect(await decryptPhone(TEST_PHONE_KEY, cipher!)).toBe('+8613800135678');
    expect(await searchCustomers(db, secrets, { query: '13800135678' })).toMatchObject([
      { id, phoneLast4: '5678' },
    ]);
    expect(await searchCustomers(db, secrets, { query: '13987654321' })).toEqual([]);
    expect(JSON.stringify(await db.outbox.toArray())).not.toContain('13800135678');
  });

  it('discards a refused order with the reason, kept (never sent), and audits which order and its total', async () => {
    const { db, order } = await rejectedOrder('wrong_store');
    const guide = newId();
    const pending = await enqueueOrder(db, anOrder(), at);
    expect(
      await discardRejected(db, pending.ok ? pending.value.id : '', 'mistake', guide, at),
    ).toMatchObject({
      ok: false,
    });
    expect((await discardRejected(db, order.id, 'cancelled', guide, at)).ok).toBe(true);
    const entry = await outboxEntry(db, order.id);
    expect(entry).toMatchObject({
      status: 'discarded',
      discarded: { reason: 'cancelled', guideId: guide, at: at.toISOString() },
    });
    expect((await pendingEntries(db, 10)).map((e) => e.id)).not.toContain(order.id);
    const audit = await unsyncedAuditBatch(db, 10);
    // 59,900 + 2 × 10,000 − 500, by hand.
    expect(audit).toEqual([
      {
        id: expect.any(String),
        action: 'outbox_discarded',
        guideId: guide,
        customerId: null,
        at: at.toISOString(),
        detail: {
          outboxId: order.id,
          kind: 'order',
          rejectCode: 'wrong_store',
          discardReason: 'cancelled',
          total: 79_400,
        },
      },
    ]);
  });

  it('a discarded registration takes its provisional profile with it', async () => {
    const db = freshDb();
    const id = newId();
    await enqueueRegistration(db, secrets, { id, name: '赵敏', phone: '139 8765 4321' }, at);
    await recordResults(db, [{ id, status: 'rejected', code: 'customer_gone', reason: 'gone' }]);
    expect((await discardRejected(db, id, 'entered_again', null, at)).ok).toBe(true);
    expect(await searchCustomers(db, secrets, { query: '13987654321' })).toEqual([]);
    const [entry] = await unsyncedAuditBatch(db, 10);
    expect(entry?.detail).toEqual({
      outboxId: id,
      kind: 'registration',
      rejectCode: 'customer_gone',
      discardReason: 'entered_again',
    });
  });
});
