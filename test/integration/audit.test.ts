import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { endpoints, type AuditEntryWire } from '../../shared/protocol';
import { callRoute } from '../support/api';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { rawCall, routePath } from '../support/http';
import type { HubProcess } from '../support/hub-process';

describeOnBackends('profile-view audit', (backend) => {
  let hub: HubProcess;
  let store: StoreFixture;
  let other: StoreFixture;
  beforeAll(async () => {
    hub = await backend.startHub();
    store = await createStoreFixture(hub);
    other = await createStoreFixture(hub, { name: 'Other store' });
  });
  afterAll(() => backend.cleanup());

  const post = (entries: AuditEntryWire[], token = store.terminals[0]!.token) =>
    callRoute(hub, endpoints.postAudit, { body: { entries } }, { token });
  const entry = (guideId: string | null = store.guide.id): AuditEntryWire => ({
    id: newId(),
    action: 'profile_opened',
    guideId,
    customerId: newId(),
    at: new Date().toISOString(),
  });

  it('keeps each entry once, however often the terminal resends it', async () => {
    const a = entry();
    const b = entry(null);
    expect((await post([a, b])).body.results.map((r) => r.status)).toEqual([
      'accepted',
      'accepted',
    ]);
    expect((await post([a, b])).body.results.map((r) => r.status)).toEqual([
      'duplicate',
      'duplicate',
    ]);
  });

  it("rejects an entry naming another store's guide, with the reason", async () => {
    const r = await post([entry(other.guide.id), entry()]);
    expect(r.status).toBe(200);
    expect(r.body.results[0]).toMatchObject({
      status: 'rejected',
      reason: expect.stringContaining('not a guide of this store'),
    });
    expect(r.body.results[1]!.status).toBe('accepted');
  });

  it('refuses malformed entries with 400 and unauthenticated calls with 401', async () => {
    // hostile input and a credential probe: raw on purpose
    const bad = await rawCall<{ error: { code: string } }>(
      hub,
      'POST',
      routePath(endpoints.postAudit),
      { entries: [{ ...entry(), action: 'printed_everything' }] },
      { token: store.terminals[0]!.token },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_input');
    expect(
      (await rawCall(hub, 'POST', routePath(endpoints.postAudit), { entries: [entry()] })).status,
    ).toBe(401);
  });
});
