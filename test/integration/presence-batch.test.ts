import type { z } from 'zod';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  endpoints,
  PRESENCE_BATCH_MAX,
  type arrivalAlert,
  type crmCustomer,
  type presenceEvent,
  type PresenceItemResult,
} from '../../shared/protocol';
import { newSecret } from '../../server/auth/secrets';
import { callRoute } from '../support/api';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import type { HubProcess } from '../support/hub-process';
import { rawCall, routePath } from '../support/http';
import {
  connectTerminal,
  eventsOf,
  received,
  type TerminalClient,
} from '../support/terminal-socket';

type ErrorReply = { error: { code: string; message: string; details?: unknown } };
type Alert = z.infer<typeof arrivalAlert>;

let seq = 0;
/** CRM members with unique member codes and mainland mobile numbers. */
async function seedMembers(hub: HubProcess, count: number) {
  const members = Array.from({ length: count }, () => {
    seq += 1;
    const n = `${Date.now() % 100000}${seq}`.padStart(7, '0').slice(-7);
    return {
      crmId: `crm-batch-${seq}-${n}`,
      name: `批量${seq}`,
      phone: `1371${n}`,
      memberCode: `B${n}${seq}`,
      tier: 'silver' as const,
    };
  });
  const r = await callRoute(hub, endpoints.importCustomers, {
    body: { customers: members as z.input<typeof crmCustomer>[] },
  });
  expect(r.status).toBe(200);
  expect(r.body.results.map((x) => x.status)).toEqual(members.map(() => 'accepted'));
  return members;
}

const batch = (hub: HubProcess, events: z.input<typeof presenceEvent>[]) =>
  callRoute(hub, endpoints.presenceBatch, { body: { events } });
/** Raw on purpose: batches the schema refuses. */
const rawBatch = (hub: HubProcess, body: unknown) =>
  rawCall<ErrorReply>(hub, 'POST', routePath(endpoints.presenceBatch), body, {
    integration: true,
  });

const alertIdOf = (r: PresenceItemResult | undefined) =>
  r && 'alertId' in r ? r.alertId : `not answered: ${JSON.stringify(r)}`;

describeOnBackends('presence in batches (POST /presence/batch)', (backend) => {
  let hub: HubProcess;
  let store: StoreFixture;
  let other: StoreFixture;
  let counter: TerminalClient;
  beforeAll(async () => {
    hub = await backend.startHub();
    store = await createStoreFixture(hub, { lat: 31.2304, lng: 121.4737, geofenceRadiusM: 300 });
    other = await createStoreFixture(hub, { lat: 39.9042, lng: 116.4074, geofenceRadiusM: 200 });
    counter = await connectTerminal(hub, store.terminals[0]!.token);
  });
  afterAll(async () => {
    counter?.close();
    await backend.cleanup();
  });

  it('answers each sighting in order, as POST /presence would, and alerts each arrival once', async () => {
    const [a, b, c] = await seedMembers(hub, 3);
    const future = new Date(Date.now() + 60 * 60_000).toISOString();
    const r = await batch(hub, [
      { customer: { memberCode: a!.memberCode }, storeId: store.storeId, source: 'wifi' },
      // the same member twice in one batch: one visit, one alert
      { customer: { memberCode: b!.memberCode }, storeId: store.storeId, source: 'wifi' },
      { customer: { memberCode: b!.memberCode }, storeId: store.storeId, source: 'beacon' },
      { customer: { phone: c!.phone }, lat: 39.9042, lng: 116.4074, source: 'geofence' },
      // nobody the hub knows: a visit, no alert
      { customer: { memberCode: 'NOBODY-0001' }, storeId: store.storeId, source: 'qr' },
      // refused one by one, the others stand
      { customer: { memberCode: a!.memberCode }, storeId: crypto.randomUUID(), source: 'qr' },
      { customer: { memberCode: a!.memberCode }, lat: 0, lng: 0, source: 'geofence' },
      {
        customer: { memberCode: c!.memberCode },
        storeId: store.storeId,
        source: 'app',
        at: future,
      },
    ]);
    expect(r.status).toBe(202);
    const results = r.body.results;
    expect(results).toHaveLength(8);
    const [first, twiceA, twiceB, byPhone, nobody, noStore, nowhere, tooLate] = results;

    expect(alertIdOf(first)).toMatch(/^[0-9a-f-]{36}$/);
    // One of the two sightings of b opened the visit and alerted, the other extended it: both
    // answer that visit and its alert.
    expect(alertIdOf(twiceA)).toMatch(/^[0-9a-f-]{36}$/);
    expect(twiceB).toEqual(twiceA);
    expect(alertIdOf(byPhone)).toMatch(/^[0-9a-f-]{36}$/);
    expect(nobody).toMatchObject({ alertId: null });
    expect(noStore).toMatchObject({ error: { status: 404, code: 'not_found' } });
    expect(nowhere).toMatchObject({ error: { status: 422, code: 'no_store_nearby' } });
    expect(tooLate).toMatchObject({ error: { status: 400, code: 'invalid_input' } });

    // The store's terminal got an alert for a and one for b; c's went to the other store.
    const alerted = [alertIdOf(first), alertIdOf(twiceA)];
    for (const id of alerted)
      await received<Alert>(counter, 'alert:new', (alert) => alert.alertId === id);
    const mine = eventsOf<Alert>(counter, 'alert:new').filter((x) => alerted.includes(x.alertId));
    expect(mine.map((x) => x.alertId).sort()).toEqual([...alerted].sort());
    // b's two sightings are one visit in the hub: the catch-up lists one alert for her.
    const here = await callRoute(
      hub,
      endpoints.alerts,
      { query: {} },
      { token: store.terminals[0]!.token },
    );
    const bVisit = twiceA && 'visitId' in twiceA ? twiceA.visitId : 'none';
    expect(here.body.items.filter((x) => x.visitId === bVisit)).toHaveLength(1);
    expect(eventsOf<Alert>(counter, 'alert:new').map((x) => x.alertId)).not.toContain(
      alertIdOf(byPhone),
    );
    const list = await callRoute(
      hub,
      endpoints.alerts,
      { query: {} },
      { token: other.terminals[0]!.token },
    );
    expect(list.status).toBe(200);
    expect(list.body.items.map((x) => x.alertId)).toContain(alertIdOf(byPhone));
  });

  it('sent again (a gateway retrying), extends the visits and raises no second alert', async () => {
    const members = await seedMembers(hub, 5);
    const events = members.map((m) => ({
      customer: { memberCode: m.memberCode },
      storeId: store.storeId,
      source: 'wifi' as const,
    }));
    const once = await batch(hub, events);
    expect(once.status).toBe(202);
    const firstIds = once.body.results.map(alertIdOf);
    for (const id of firstIds) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const again = await batch(hub, events);
    expect(again.status).toBe(202);
    // The same visits and their alerts (a repeat sighting answers the visit's alert)...
    expect(again.body.results).toEqual(once.body.results);
    // ...and no second alert: once the first batch's alerts are all in, a sighting of another
    // member sent after the retry arrives with nothing of the retry before it.
    for (const id of firstIds)
      await received<Alert>(counter, 'alert:new', (alert) => alert.alertId === id);
    const [late] = await seedMembers(hub, 1);
    const marker = await batch(hub, [
      { customer: { memberCode: late!.memberCode }, storeId: store.storeId, source: 'qr' },
    ]);
    const markerId = alertIdOf(marker.body.results[0]);
    await received<Alert>(counter, 'alert:new', (alert) => alert.alertId === markerId);
    const told = eventsOf<Alert>(counter, 'alert:new').map((x) => x.alertId);
    for (const id of firstIds) expect(told.filter((x) => x === id)).toHaveLength(1);
  });

  it('refuses a malformed batch whole, with the item named, and records none of it', async () => {
    const [m] = await seedMembers(hub, 1);
    const good = { customer: { memberCode: m!.memberCode }, storeId: store.storeId, source: 'qr' };
    const bad = await rawBatch(hub, { events: [good, { customer: {}, source: 'qr' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_input');
    expect(JSON.stringify(bad.body.error.details)).toContain('events.1');

    for (const body of [
      { events: [] },
      { events: Array.from({ length: PRESENCE_BATCH_MAX + 1 }, () => good) },
      [good],
      { event: good },
    ]) {
      const r = await rawBatch(hub, body);
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(r.body.error.code).toBe('invalid_input');
    }
    // Nothing of it was recorded: her first sighting now is a new arrival.
    const r = await batch(hub, [good as z.input<typeof presenceEvent>]);
    expect(alertIdOf(r.body.results[0])).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('is for head office’s key only', async () => {
    const body = {
      events: [{ customer: { memberCode: 'X' }, storeId: store.storeId, source: 'qr' }],
    };
    const callers: Record<string, Parameters<typeof rawCall>[4]> = {
      anonymous: {},
      'a terminal': { token: store.terminals[0]!.token },
      'a wrong key': { integration: newSecret('sgi') },
    };
    for (const [who, auth] of Object.entries(callers)) {
      const r = await rawCall<ErrorReply>(
        hub,
        'POST',
        routePath(endpoints.presenceBatch),
        body,
        auth,
      );
      expect(r.status, who).toBe(401);
      expect(r.body.error.code, who).toBe('unauthorized');
    }
  });
});
