import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { CURRENT_NOTICE_VERSION, noticeHash } from '../../shared/domain/marketing-notice';
import {
  consentOf,
  effectiveConsent,
  enqueueConsentChange,
  outreachSettingsHere,
} from './consents';
import { TerminalDb } from './database';
import { pendingEntries, recordResults } from './outbox';
import { putCanonicalCustomer } from './customers';
import { freshIdb, makeProfile } from './testing';

const change = async (customerId: string, granted: boolean, at: string) => ({
  id: newId(),
  customerId,
  guideId: newId(),
  granted,
  noticeVersion: CURRENT_NOTICE_VERSION,
  noticeLocale: 'zh-CN' as const,
  noticeHash: await noticeHash(CURRENT_NOTICE_VERSION, 'zh-CN'),
  at,
});

describe('marketing consent on the terminal (#15 item 4)', () => {
  it('v12 → v13: the outbox survives; a consent change is queued sealed and shown at once', async () => {
    const idb = freshIdb();
    const v12 = new TerminalDb('term-12-13', { ...idb, upToVersion: 12 });
    const orderId = newId();
    // A clear v12 row (the at-rest pass would seal it later): it must still be pending after.
    await v12.table('outbox').put({
      id: orderId,
      kind: 'order',
      order: { id: orderId, lines: [] },
      status: 'pending',
      createdAt: '2026-12-01T09:00:00.000Z',
      attempts: 0,
      lastAttemptAt: null,
      syncedAt: null,
      reason: null,
    });
    v12.close();

    const db = new TerminalDb('term-12-13', idb);
    await db.open();
    expect(db.verno).toBe(13);
    const profile = await makeProfile({
      marketingConsent: { granted: false, at: null, noticeVersion: null },
    });
    await putCanonicalCustomer(db, profile.id, profile);
    expect(await consentOf(db, profile.id)).toEqual({
      consent: { granted: false, at: null, noticeVersion: null },
      pending: false,
    });

    const grant = await change(profile.id, true, '2026-12-01T10:00:00.000Z');
    expect((await enqueueConsentChange(db, grant)).ok).toBe(true);
    expect(await consentOf(db, profile.id)).toEqual({
      consent: { granted: true, at: grant.at, noticeVersion: CURRENT_NOTICE_VERSION },
      pending: true,
    });
    // Sealed at rest: which member and which guide are not readable in the raw row.
    const raw = JSON.stringify(await db.outbox.get(grant.id));
    expect(raw).not.toContain(profile.id);
    expect(raw).not.toContain(grant.guideId);
    expect((await pendingEntries(db, 10)).map((e) => e.kind)).toEqual(['order', 'consent_change']);

    await recordResults(db, [{ id: grant.id, status: 'accepted' }]);
    expect((await consentOf(db, profile.id)).pending).toBe(false);
    expect(await outreachSettingsHere(db)).toBeNull();
    db.close();
  });

  it('refuses a change that is not one (no notice hash) and writes nothing', async () => {
    const db = new TerminalDb(newId(), freshIdb());
    const bad = { ...(await change(newId(), true, '2026-12-01T10:00:00.000Z')), noticeHash: '' };
    expect((await enqueueConsentChange(db, bad)).ok).toBe(false);
    expect(await pendingEntries(db, 10)).toEqual([]);
    db.close();
  });

  it('the later of the feed and this terminal decides', () => {
    const here = {
      customerId: 'c',
      changeId: 'x',
      granted: false,
      noticeVersion: CURRENT_NOTICE_VERSION,
      at: '2026-12-02T10:00:00.000Z',
    };
    const crm = { granted: true, at: null, noticeVersion: null };
    expect(effectiveConsent(crm, here)?.granted).toBe(false);
    const laterElsewhere = {
      granted: true,
      at: '2026-12-03T08:00:00.000Z',
      noticeVersion: '2026-12',
    };
    expect(effectiveConsent(laterElsewhere, here)).toEqual(laterElsewhere);
    expect(effectiveConsent(undefined, undefined)).toBeNull();
  });
});
