import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import type { AuditEntry, OutboxEntry } from './database';
import { pruneLocal } from './retention';
import { freshDb, makeAlert } from './testing';

const NOW = new Date('2026-12-20T10:00:00.000Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();

function outboxEntry(status: OutboxEntry['status'], createdAt: string): OutboxEntry {
  const id = newId();
  return {
    id,
    kind: 'order',
    order: {
      id,
      storeId: newId(),
      terminalId: newId(),
      guideId: newId(),
      paymentMethod: 'wechat',
      createdAt,
      lines: [{ sku: 'SKU-1', quantity: 1, unitPrice: 100, discount: 0 }],
    },
    status,
    createdAt,
    syncedAt: status === 'synced' ? createdAt : null,
    reason: status === 'rejected' ? 'product inactive' : null,
    attempts: status === 'pending' ? 0 : 1,
    lastAttemptAt: status === 'pending' ? null : createdAt,
  };
}

const auditEntry = (synced: 0 | 1, at: string): AuditEntry => ({
  id: newId(),
  action: 'profile_opened',
  guideId: null,
  customerId: newId(),
  at,
  synced,
});

describe('local retention', () => {
  it('removes only what the hub has and is past its retention; never what is still to be sent', async () => {
    const db = freshDb();
    const oldAlert = makeAlert({ at: daysAgo(8) });
    const weekAlert = makeAlert({ at: daysAgo(6) });
    await db.alerts.bulkPut([
      { ...oldAlert, receivedAt: daysAgo(8) },
      { ...weekAlert, receivedAt: daysAgo(6) },
    ]);
    await db.visitsSeen.bulkPut([
      { visitId: oldAlert.visitId, alertId: oldAlert.alertId, guideId: null, seenAt: daysAgo(8) },
      { visitId: weekAlert.visitId, alertId: weekAlert.alertId, guideId: null, seenAt: daysAgo(6) },
    ]);
    const keep = [
      outboxEntry('synced', daysAgo(29)),
      outboxEntry('pending', daysAgo(90)),
      outboxEntry('rejected', daysAgo(90)),
    ];
    const old = outboxEntry('synced', daysAgo(31));
    await db.outbox.bulkPut([...keep, old]);
    const keptViews = [auditEntry(1, daysAgo(29)), auditEntry(0, daysAgo(90))];
    await db.audit.bulkPut([...keptViews, auditEntry(1, daysAgo(31))]);

    expect(await pruneLocal(db, NOW)).toEqual({ alerts: 1, visitsSeen: 1, outbox: 1, audit: 1 });
    expect((await db.alerts.toArray()).map((a) => a.alertId)).toEqual([weekAlert.alertId]);
    expect((await db.visitsSeen.toArray()).map((v) => v.alertId)).toEqual([weekAlert.alertId]);
    expect((await db.outbox.toArray()).map((e) => e.id).sort()).toEqual(
      keep.map((e) => e.id).sort(),
    );
    expect((await db.audit.toArray()).map((a) => a.id).sort()).toEqual(
      keptViews.map((a) => a.id).sort(),
    );
    // Nothing more to do the second time.
    expect(await pruneLocal(db, NOW)).toEqual({ alerts: 0, visitsSeen: 0, outbox: 0, audit: 0 });
  });

  it('keeps everything younger than a custom retention', async () => {
    const db = freshDb();
    await db.alerts.put({ ...makeAlert({ at: daysAgo(20) }), receivedAt: daysAgo(20) });
    await db.outbox.put(outboxEntry('synced', daysAgo(50)));
    expect(await pruneLocal(db, NOW, { alertsDays: 30, syncedDays: 60 })).toEqual({
      alerts: 0,
      visitsSeen: 0,
      outbox: 0,
      audit: 0,
    });
    expect(await db.alerts.count()).toBe(1);
    expect(await db.outbox.count()).toBe(1);
  });
});
