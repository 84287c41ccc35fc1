import type { z } from 'zod';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { crmCustomer, presenceEvent } from '../../shared/protocol';
import { endpoints } from '../../shared/protocol';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { rawCall, routePath } from '../support/http';
import { callRoute } from '../support/api';
import type { HubProcess } from '../support/hub-process';

type ErrorReply = { error: { code: string; message: string; details?: unknown } };

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
let seq = 0;

/** A CRM customer with a unique member code and a valid mainland mobile number. */
async function seedCustomer(hub: HubProcess, extra: Record<string, unknown> = {}) {
  seq += 1;
  const n = `${Date.now() % 100000}${seq}`.padStart(7, '0').slice(-7);
  const customer = {
    crmId: `crm-presence-${seq}-${n}`,
    name: `顾客${seq}`,
    phone: `1391${n}`,
    memberCode: `M${n}${seq}`,
    tier: 'gold',
    sizes: { top: 'M', shoe: '38' },
    favouriteCategories: ['连衣裙', '针织衫'],
    ...extra,
  };
  const r = await callRoute(hub, endpoints.importCustomers, {
    body: { customers: [customer as z.input<typeof crmCustomer>] },
  });
  if (r.status !== 200 || r.body.results[0]?.status !== 'accepted')
    throw new Error(`customer not seeded: ${r.status} ${JSON.stringify(r.body)}`);
  return customer;
}

const presence = (hub: HubProcess, body: z.input<typeof presenceEvent>) =>
  callRoute(hub, endpoints.presence, { body });
/** Raw on purpose: sightings the schema refuses. */
const rawPresence = (hub: HubProcess, body: unknown) =>
  rawCall<ErrorReply>(hub, 'POST', routePath(endpoints.presence), body, { integration: true });

async function alertsOf(hub: HubProcess, store: StoreFixture, since?: string) {
  const r = await callRoute(
    hub,
    endpoints.alerts,
    { query: since ? { since } : {} },
    { token: store.terminals[0]!.token },
  );
  expect(r.status).toBe(200);
  return r.body.items;
}

describeOnBackends('presence and arrival alerts over REST', (backend) => {
  let hub: HubProcess;
  let storeA: StoreFixture;
  let storeB: StoreFixture;
  let far: StoreFixture;
  beforeAll(async () => {
    hub = await backend.startHub();
    // A and B overlap: B's centre is ~290 m north of A's.
    storeA = await createStoreFixture(hub, { lat: 31.2304, lng: 121.4737, geofenceRadiusM: 300 });
    storeB = await createStoreFixture(hub, { lat: 31.233, lng: 121.4737, geofenceRadiusM: 500 });
    far = await createStoreFixture(hub, { lat: 39.9042, lng: 116.4074, geofenceRadiusM: 200 });
  });
  afterAll(() => backend.cleanup());

  it('recognises a member by member code and gives the store a customer card', async () => {
    const c = await seedCustomer(hub);
    const r = await presence(hub, {
      customer: { memberCode: c.memberCode },
      storeId: storeA.storeId,
      source: 'qr',
    });
    expect(r.status).toBe(202);
    expect(r.body.visitId).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.body.alertId).toMatch(/^[0-9a-f-]{36}$/);

    const alert = (await alertsOf(hub, storeA)).find((a) => a.alertId === r.body.alertId);
    expect(alert).toMatchObject({
      visitId: r.body.visitId,
      storeId: storeA.storeId,
      source: 'qr',
      status: 'open',
      claimedBy: null,
    });
    expect(Date.parse(alert!.expiresAt) - Date.parse(alert!.at)).toBe(30 * 60_000);
    expect(alert!.card).toMatchObject({
      name: c.name,
      tier: 'gold',
      phoneLast4: c.phone.slice(-4),
      sizes: { top: 'M', shoe: '38' },
      favouriteCategories: ['连衣裙', '针织衫'],
      lifetimeSpend: 0,
    });
    // The raw number never reaches the store's screen, nor any middle digit.
    expect(JSON.stringify(alert)).not.toContain(c.phone);
    expect(JSON.stringify(alert)).not.toMatch(/phoneMasked|\*\*\*\*/);
  });

  it('recognises a member by phone in either common format, and by customer id', async () => {
    const c = await seedCustomer(hub);
    const plain = await presence(hub, {
      customer: { phone: c.phone },
      storeId: storeA.storeId,
      source: 'wifi',
    });
    const formatted = `+86 ${c.phone.slice(0, 3)}-${c.phone.slice(3, 7)}-${c.phone.slice(7)}`;
    const international = await presence(hub, {
      customer: { phone: formatted },
      storeId: storeB.storeId,
      source: 'wifi',
    });
    expect([plain.status, international.status]).toEqual([202, 202]);
    const a = (await alertsOf(hub, storeA)).find((x) => x.alertId === plain.body.alertId)!;
    const b = (await alertsOf(hub, storeB)).find((x) => x.alertId === international.body.alertId)!;
    expect(a.card.name).toBe(c.name);
    expect(b.card.customerId).toBe(a.card.customerId);

    const byId = await presence(hub, {
      customer: { customerId: a.card.customerId },
      storeId: far.storeId,
      source: 'app',
    });
    expect(byId.status).toBe(202);
    const f = (await alertsOf(hub, far)).find((x) => x.alertId === byId.body.alertId)!;
    expect(f.card).toMatchObject({ customerId: a.card.customerId, name: c.name });
  });

  it('picks the nearest store whose geofence contains the location', async () => {
    const c = await seedCustomer(hub);
    // ~200 m north of A (inside A's 300 m) and ~90 m south of B (inside B's 500 m): B is nearer.
    const r = await presence(hub, {
      customer: { memberCode: c.memberCode },
      lat: 31.2322,
      lng: 121.4737,
      source: 'geofence',
    });
    expect(r.status).toBe(202);
    expect((await alertsOf(hub, storeB)).map((a) => a.alertId)).toContain(r.body.alertId);
    expect((await alertsOf(hub, storeA)).map((a) => a.alertId)).not.toContain(r.body.alertId);

    // ~330 m south of A: outside every fence (A's is 300 m).
    const outside = await presence(hub, {
      customer: { memberCode: c.memberCode },
      lat: 31.2274,
      lng: 121.4737,
      source: 'geofence',
    });
    expect(outside.status).toBe(422);
    expect(outside.error?.code).toBe('no_store_nearby');
  });

  it('extends one visit for repeat sightings within 30 minutes and alerts only once', async () => {
    const c = await seedCustomer(hub);
    const first = await presence(hub, {
      customer: { memberCode: c.memberCode },
      storeId: storeA.storeId,
      source: 'wifi',
      at: minutesAgo(50),
    });
    // 25 minutes after the first sighting, then 25 after that: still the same visit.
    const second = await presence(hub, {
      customer: { phone: c.phone },
      storeId: storeA.storeId,
      source: 'beacon',
      at: minutesAgo(25),
    });
    const third = await presence(hub, {
      customer: { memberCode: c.memberCode },
      storeId: storeA.storeId,
      source: 'wifi',
    });
    expect([first.status, second.status, third.status]).toEqual([202, 202, 202]);
    expect(second.body.visitId).toBe(first.body.visitId);
    expect(third.body.visitId).toBe(first.body.visitId);
    expect(third.body.alertId).toBe(first.body.alertId);

    const mine = (await alertsOf(hub, storeA)).filter((a) => a.card.name === c.name);
    expect(mine.map((a) => a.alertId)).toEqual([first.body.alertId]);
  });

  it('merges simultaneous sightings from several sources into one visit and one alert', async () => {
    const c = await seedCustomer(hub);
    const sources = ['wifi', 'beacon', 'geofence', 'app', 'qr', 'wifi'] as const;
    const replies = await Promise.all(
      sources.map((source) =>
        presence(hub, { customer: { memberCode: c.memberCode }, storeId: storeB.storeId, source }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(sources.map(() => 202));
    expect(new Set(replies.map((r) => r.body.visitId)).size).toBe(1);
    expect(new Set(replies.map((r) => r.body.alertId)).size).toBe(1);
    const mine = (await alertsOf(hub, storeB)).filter((a) => a.card.name === c.name);
    expect(mine).toHaveLength(1);
  });

  it('opens a new visit and alert when the customer comes back after more than 30 minutes', async () => {
    const c = await seedCustomer(hub);
    const morning = await presence(hub, {
      customer: { memberCode: c.memberCode },
      storeId: storeA.storeId,
      source: 'wifi',
      at: minutesAgo(90),
    });
    const later = await presence(hub, {
      customer: { memberCode: c.memberCode },
      storeId: storeA.storeId,
      source: 'wifi',
    });
    expect(later.body.visitId).not.toBe(morning.body.visitId);
    expect(later.body.alertId).not.toBe(morning.body.alertId);
    const mine = (await alertsOf(hub, storeA)).filter((a) => a.card.name === c.name);
    // Newest first.
    expect(mine.map((a) => a.alertId)).toEqual([later.body.alertId, morning.body.alertId]);
  });

  it('records an unknown shopper as an anonymous sighting without an alert', async () => {
    const before = (await alertsOf(hub, storeA)).length;
    const unknownCode = await presence(hub, {
      customer: { memberCode: 'NO-SUCH-MEMBER' },
      storeId: storeA.storeId,
      source: 'qr',
    });
    const unknownPhone = await presence(hub, {
      customer: { phone: '13700000001' },
      storeId: storeA.storeId,
      source: 'wifi',
    });
    for (const r of [unknownCode, unknownPhone]) {
      expect(r.status).toBe(202);
      expect(r.body.alertId).toBeNull();
      expect(r.body.visitId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(unknownCode.body.visitId).not.toBe(unknownPhone.body.visitId);
    expect(await alertsOf(hub, storeA)).toHaveLength(before);
  });

  it('rejects invalid sightings with 400 and writes nothing', async () => {
    const c = await seedCustomer(hub);
    const before = (await alertsOf(hub, storeA)).length;
    const bad: unknown[] = [
      { customer: { memberCode: c.memberCode }, source: 'wifi' }, // no store, no location
      { customer: { memberCode: c.memberCode }, storeId: storeA.storeId, source: 'telepathy' },
      { customer: {}, storeId: storeA.storeId, source: 'wifi' },
      { customer: { memberCode: c.memberCode }, storeId: 'not-a-uuid', source: 'wifi' },
      { customer: { memberCode: c.memberCode }, lat: 95, lng: 121.47, source: 'geofence' },
      {
        customer: { memberCode: c.memberCode },
        storeId: storeA.storeId,
        source: 'wifi',
        at: 'soon',
      },
      {
        // a sighting an hour in the future would raise an alert that never expires on time
        customer: { memberCode: c.memberCode },
        storeId: storeA.storeId,
        source: 'wifi',
        at: new Date(Date.now() + 3_600_000).toISOString(),
      },
      'not json at all',
    ];
    for (const body of bad) {
      const r = await rawPresence(hub, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe('invalid_input');
    }
    expect(await alertsOf(hub, storeA)).toHaveLength(before);
    // The customer was never seen, so a real sighting now still raises their first alert.
    const ok = await presence(hub, {
      customer: { memberCode: c.memberCode },
      storeId: storeA.storeId,
      source: 'wifi',
    });
    expect(ok.body.alertId).not.toBeNull();
  });

  it('answers an unknown store with a JSON 404', async () => {
    const c = await seedCustomer(hub);
    const r = await presence(hub, {
      customer: { memberCode: c.memberCode },
      storeId: '01890000-0000-7000-8000-000000000000',
      source: 'wifi',
    });
    expect(r.status).toBe(404);
    expect(r.error?.code).toBe('not_found');
  });

  it('refuses presence and footfall without a valid integration key', async () => {
    const body = {
      customer: { memberCode: 'X1234' },
      storeId: storeA.storeId,
      source: 'wifi' as const,
    };
    const none = await rawCall<ErrorReply>(hub, 'POST', routePath(endpoints.presence), body);
    const wrong = await callRoute(
      hub,
      endpoints.presence,
      { body },
      { integrationKey: 'wrong-key-0123456789abcdef' },
    );
    const footfall = await rawCall<ErrorReply>(hub, 'POST', routePath(endpoints.footfall), {
      storeId: storeA.storeId,
      at: minutesAgo(0),
      count: 3,
    });
    for (const r of [none, footfall]) {
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('unauthorized');
    }
    expect(wrong.status).toBe(401);
    expect(wrong.error?.code).toBe('unauthorized');
  });

  it('accepts door-counter footfall and validates it', async () => {
    const ok = await callRoute(hub, endpoints.footfall, {
      body: { storeId: storeA.storeId, at: minutesAgo(5), count: 7 },
    });
    expect(ok.status).toBe(202);
    const unknownStore = await callRoute(hub, endpoints.footfall, {
      body: { storeId: '01890000-0000-7000-8000-000000000001', at: minutesAgo(5), count: 7 },
    });
    expect(unknownStore.status).toBe(404);
    expect(unknownStore.error?.code).toBe('not_found');
    for (const body of [
      { storeId: storeA.storeId, at: minutesAgo(5), count: -1 },
      { storeId: storeA.storeId, count: 2 },
      { storeId: storeA.storeId, at: minutesAgo(5), count: 1.5 },
    ]) {
      // raw on purpose: counts the schema refuses
      const r = await rawCall<ErrorReply>(hub, 'POST', routePath(endpoints.footfall), body, {
        integration: true,
      });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('invalid_input');
    }
  });

  it('lists only this store’s alerts since a given instant for catch-up', async () => {
    const c = await seedCustomer(hub);
    const old = await presence(hub, {
      customer: { memberCode: c.memberCode },
      storeId: far.storeId,
      source: 'app',
      at: minutesAgo(120),
    });
    const recent = await presence(hub, {
      customer: { memberCode: c.memberCode },
      storeId: far.storeId,
      source: 'app',
      at: minutesAgo(10),
    });
    const since60 = (await alertsOf(hub, far, minutesAgo(60))).map((a) => a.alertId);
    expect(since60).toContain(recent.body.alertId);
    expect(since60).not.toContain(old.body.alertId);
    // Default window (12 h) holds both, newest first.
    const all = (await alertsOf(hub, far)).map((a) => a.alertId);
    expect(all.indexOf(recent.body.alertId!)).toBeLessThan(all.indexOf(old.body.alertId!));
    // Another store's terminal never sees them.
    expect((await alertsOf(hub, storeA)).map((a) => a.alertId)).not.toContain(recent.body.alertId);

    expect((await rawCall(hub, 'GET', routePath(endpoints.alerts))).status).toBe(401);
    const bad = await callRoute(
      hub,
      endpoints.alerts,
      { query: { since: 'yesterday' } },
      { token: far.terminals[0]!.token },
    );
    expect(bad.status).toBe(400);
  });
});
