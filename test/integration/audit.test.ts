import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import type { BatchResponse } from '../../shared/protocol';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { call } from '../support/http';
import type { HubProcess } from '../support/hub-process';

type ErrorReply = { error: { code: string } };

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

  const post = (entries: unknown[], token = store.terminals[0]!.token) =>
    call<BatchResponse & ErrorReply>(hub, 'POST', '/api/v1/audit', { entries }, { token });
  const entry = (guideId: string | null = store.guide.id) => ({
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
    const bad = await post([{ ...entry(), action: 'printed_everything' }]);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_input');
    expect((await call(hub, 'POST', '/api/v1/audit', { entries: [entry()] })).status).toBe(401);
  });
});
