import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  endpoints,
  alertUpdate,
  arrivalAlert,
  claimAck,
  type AlertUpdate,
  type ArrivalAlert,
  type ClaimAck,
} from '../../shared/protocol';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { callRoute } from '../support/api';
import type { HubProcess } from '../support/hub-process';
import {
  connected,
  eventsOf,
  openTerminalSocket,
  received,
  type TerminalClient,
} from '../support/terminal-socket';

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

let seq = 0;
async function seedCustomer(hub: HubProcess) {
  seq += 1;
  const n = `${Date.now() % 100000}${seq}`.padStart(7, '0').slice(-7);
  const customer = {
    crmId: `crm-rt-${seq}-${n}`,
    name: `会员${seq}`,
    phone: `1382${n}`,
    memberCode: `R${n}${seq}`,
    tier: 'platinum' as const,
  };
  const r = await callRoute(hub, endpoints.importCustomers, { body: { customers: [customer] } });
  if (r.status !== 200 || r.body.results[0]?.status !== 'accepted')
    throw new Error(`customer not seeded: ${JSON.stringify(r.body)}`);
  return customer;
}

async function arrive(hub: HubProcess, memberCode: string, storeId: string, at?: string) {
  const r = await callRoute(hub, endpoints.presence, {
    body: { customer: { memberCode }, storeId, source: 'wifi', ...(at ? { at } : {}) },
  });
  expect(r.status).toBe(202);
  expect(r.body.alertId).not.toBeNull();
  return r.body.alertId!;
}

const claim = (socket: TerminalClient, alertId: string, guideId: string) =>
  socket.timeout(10_000).emitWithAck('alert:claim', { alertId, guideId }) as Promise<ClaimAck>;

describeOnBackends('live channel: arrival alerts, claims, expiry, revocation', (backend) => {
  let hub: HubProcess;
  let storeA: StoreFixture;
  let storeB: StoreFixture;
  const sockets: TerminalClient[] = [];
  const open = async (token: string) => {
    const s = openTerminalSocket(hub, token);
    sockets.push(s);
    await connected(s);
    return s;
  };

  beforeAll(async () => {
    // A fast sweep so an alert raised 31 minutes ago expires within the test.
    hub = await backend.startHub({ env: { HUB_EXPIRY_SWEEP_MS: '200' } });
    storeA = await createStoreFixture(hub);
    storeB = await createStoreFixture(hub);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await backend.cleanup();
  });

  it('sends alert:new only to the arrival store’s terminals', async () => {
    const a1 = await open(storeA.terminals[0]!.token);
    const a2 = await open(storeA.terminals[1]!.token);
    const b1 = await open(storeB.terminals[0]!.token);
    const c = await seedCustomer(hub);

    const alertId = await arrive(hub, c.memberCode, storeA.storeId);
    const [onA1, onA2] = await Promise.all([
      received<ArrivalAlert>(a1, 'alert:new', (a) => a.alertId === alertId),
      received<ArrivalAlert>(a2, 'alert:new', (a) => a.alertId === alertId),
    ]);
    expect(onA1).toMatchObject({
      storeId: storeA.storeId,
      status: 'open',
      source: 'wifi',
      card: { name: c.name, tier: 'platinum' as const, phoneLast4: c.phone.slice(-4) },
    });
    expect(onA2.card.customerId).toBe(onA1.card.customerId);
    // What arrives is exactly the shared contract the terminal parses.
    expect(arrivalAlert.safeParse(onA1).success).toBe(true);

    // An alert for store B afterwards: once B has it, B would also have had A's by now.
    const other = await seedCustomer(hub);
    const bAlert = await arrive(hub, other.memberCode, storeB.storeId);
    await received<ArrivalAlert>(b1, 'alert:new', (a) => a.alertId === bAlert);
    expect(eventsOf<ArrivalAlert>(b1, 'alert:new').map((a) => a.alertId)).toEqual([bAlert]);
    expect(eventsOf<ArrivalAlert>(a1, 'alert:new').map((a) => a.alertId)).not.toContain(bAlert);
  });

  it('lets exactly one of two guides claim a customer; both terminals see who won', async () => {
    const t1 = await open(storeA.terminals[0]!.token);
    const t2 = await open(storeA.terminals[1]!.token);
    const c = await seedCustomer(hub);
    const alertId = await arrive(hub, c.memberCode, storeA.storeId);
    await Promise.all([
      received(t1, 'alert:new', (a: ArrivalAlert) => a.alertId === alertId),
      received(t2, 'alert:new', (a: ArrivalAlert) => a.alertId === alertId),
    ]);

    const [ack1, ack2] = await Promise.all([
      claim(t1, alertId, storeA.guide.id),
      claim(t2, alertId, storeA.guide2.id),
    ]);
    expect([claimAck.safeParse(ack1).success, claimAck.safeParse(ack2).success]).toEqual([
      true,
      true,
    ]);
    const wins = [ack1, ack2].filter((a) => a.ok);
    expect(wins).toHaveLength(1);
    const winner = ack1.ok ? storeA.guide : storeA.guide2;
    const loserAck = ack1.ok ? ack2 : ack1;
    expect(loserAck).toEqual({
      ok: false,
      error: expect.objectContaining({
        code: 'already_claimed',
        claimedBy: { guideId: winner.id, name: winner.name },
      }),
    });

    for (const t of [t1, t2]) {
      const update = await received<AlertUpdate>(t, 'alert:updated', (u) => u.alertId === alertId);
      expect(update).toMatchObject({
        status: 'claimed',
        storeId: storeA.storeId,
        claimedBy: { guideId: winner.id, name: winner.name },
      });
      expect(update.claimedAt).not.toBeNull();
      expect(alertUpdate.safeParse(update).success).toBe(true);
    }
    // A late third claim, even by the winner's colleague on the same terminal, still loses.
    expect(await claim(t1, alertId, storeA.manager.id)).toMatchObject({
      ok: false,
      error: { code: 'already_claimed', claimedBy: { guideId: winner.id } },
    });
    // The catch-up list agrees.
    const list = await callRoute(hub, endpoints.alerts, {}, { token: storeA.terminals[0]!.token });
    expect(list.body.items.find((a) => a.alertId === alertId)).toMatchObject({
      status: 'claimed',
      claimedBy: { guideId: winner.id, name: winner.name },
    });
  });

  it('refuses claims by another store’s guide, on another store’s alert, or malformed', async () => {
    const a = await open(storeA.terminals[0]!.token);
    const b = await open(storeB.terminals[0]!.token);
    const c = await seedCustomer(hub);
    const alertId = await arrive(hub, c.memberCode, storeA.storeId);

    expect(await claim(a, alertId, storeB.guide.id)).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    // Store B's terminal with its own guide cannot reach store A's alert.
    expect(await claim(b, alertId, storeB.guide.id)).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    const malformed = (await a
      .timeout(10_000)
      .emitWithAck('alert:claim', { alertId: 'nope' })) as ClaimAck;
    expect(malformed).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    // None of that took the customer away from store A's guides.
    expect(await claim(a, alertId, storeA.guide.id)).toEqual({ ok: true });
  });

  it('expires an alert nobody claimed within 30 minutes and tells the store', async () => {
    const t = await open(storeA.terminals[1]!.token);
    const c = await seedCustomer(hub);
    const alertId = await arrive(hub, c.memberCode, storeA.storeId, minutesAgo(31));
    const update = await received<AlertUpdate>(t, 'alert:updated', (u) => u.alertId === alertId);
    expect(update).toMatchObject({ status: 'expired', claimedBy: null, storeId: storeA.storeId });
    expect(await claim(t, alertId, storeA.guide.id)).toMatchObject({
      ok: false,
      error: { code: 'expired' },
    });
    // Expired once, announced once.
    expect(
      eventsOf<AlertUpdate>(t, 'alert:updated').filter((u) => u.alertId === alertId),
    ).toHaveLength(1);
  });

  it('lets a terminal that was offline catch up on arrivals and claims it missed', async () => {
    const offline = await open(storeB.terminals[0]!.token);
    const online = await open(storeB.terminals[1]!.token);
    offline.close();
    const wentOffline = new Date().toISOString();
    const c = await seedCustomer(hub);
    const missed = await arrive(hub, c.memberCode, storeB.storeId);
    await received(online, 'alert:new', (a: ArrivalAlert) => a.alertId === missed);
    expect(await claim(online, missed, storeB.guide2.id)).toEqual({ ok: true });

    // Back online: one call shows who walked in and that a colleague already has them.
    const back = await open(storeB.terminals[0]!.token);
    const r = await callRoute(
      hub,
      endpoints.alerts,
      { query: { since: wentOffline } },
      { token: storeB.terminals[0]!.token },
    );
    expect(r.body.items.map((a) => a.alertId)).toEqual([missed]);
    expect(r.body.items[0]).toMatchObject({
      status: 'claimed',
      claimedBy: { guideId: storeB.guide2.id, name: storeB.guide2.name },
      card: { name: c.name },
    });
    expect(eventsOf(back, 'alert:new')).toHaveLength(0);
  });

  it('time in store: a sighting in a later minute extends the visit and tells the store once a minute', async () => {
    const t = await open(storeA.terminals[0]!.token);
    const c = await seedCustomer(hub);
    // Sightings 9 and 8.5 minutes ago (one minute bucket or two: the second may cross a minute
    // boundary, so only what it reports is checked), then 2 minutes ago (a later minute for sure).
    const first = minutesAgo(9);
    const alertId = await arrive(hub, c.memberCode, storeA.storeId, first);
    const raised = await received<ArrivalAlert>(t, 'alert:new', (a) => a.alertId === alertId);
    expect(raised.lastSeenAt).toBe(raised.at);
    await arrive(hub, c.memberCode, storeA.storeId, minutesAgo(2));
    const update = await received<AlertUpdate>(
      t,
      'alert:updated',
      (u) => u.alertId === alertId && u.lastSeenAt !== undefined,
    );
    expect(alertUpdate.safeParse(update).success).toBe(true);
    expect(Date.parse(update.lastSeenAt!) - Date.parse(first)).toBeGreaterThan(6 * 60_000);
    expect(update.status).toBe('open');
    const seenUpdates = () =>
      eventsOf<AlertUpdate>(t, 'alert:updated').filter((u) => u.alertId === alertId).length;
    const before = seenUpdates();
    // Seen again in the same minute as the last sighting: no new message.
    const sameMinute = new Date(Date.parse(update.lastSeenAt!));
    sameMinute.setUTCSeconds(Math.min(59, sameMinute.getUTCSeconds() + 1));
    if (sameMinute.getTime() <= Date.now())
      await arrive(hub, c.memberCode, storeA.storeId, sameMinute.toISOString());
    // An older sighting (a late message) does not move the visit back.
    await arrive(hub, c.memberCode, storeA.storeId, minutesAgo(5));
    // The catch-up list carries the latest sighting too.
    const r = await callRoute(
      hub,
      endpoints.alerts,
      { query: { since: minutesAgo(10) } },
      { token: storeA.terminals[0]!.token },
    );
    const listed = r.body.items.find((a) => a.alertId === alertId);
    expect(Date.parse(listed!.lastSeenAt!)).toBeGreaterThanOrEqual(Date.parse(update.lastSeenAt!));
    expect(Date.parse(listed!.lastSeenAt!)).toBeLessThan(Date.parse(update.lastSeenAt!) + 60_000);
    expect(seenUpdates()).toBe(before);
  });

  it('refuses a handshake without a token or with a bad one', async () => {
    for (const token of ['', 'sgt_not-a-real-token']) {
      const s = openTerminalSocket(hub, token);
      sockets.push(s);
      await expect(connected(s)).rejects.toThrow('unauthorized');
    }
  });

  it('disconnects a connected terminal when IT revokes it, after telling it why', async () => {
    const extra = await createStoreFixture(hub);
    const victim = await open(extra.terminals[0]!.token);
    const colleague = await open(extra.terminals[1]!.token);
    const disconnected = new Promise<string>((resolve) => victim.once('disconnect', resolve));

    const r = await callRoute(hub, endpoints.adminRevokeTerminal, {
      params: { id: extra.terminals[0]!.id },
    });
    expect(r.status).toBe(200);
    expect(await disconnected).toBe('io server disconnect');
    expect(eventsOf<{ reason: string }>(victim, 'terminal:revoked')).toHaveLength(1);

    // The same token cannot come back; the store's other terminal is untouched.
    const again = openTerminalSocket(hub, extra.terminals[0]!.token);
    sockets.push(again);
    await expect(connected(again)).rejects.toThrow('unauthorized');
    expect(colleague.connected).toBe(true);
    expect(eventsOf(colleague, 'terminal:revoked')).toHaveLength(0);
  });
});
