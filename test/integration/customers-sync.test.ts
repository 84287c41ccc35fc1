import type { z } from 'zod';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { customerRegistration, onlineEvent } from '../../shared/protocol';
import {
  endpoints,
  customerFeedItem,
  feedPage,
  mergeResponse,
  registrationResponse,
  type CustomerFeedItem,
  type CustomerProfile,
  type CustomerTombstone,
} from '../../shared/protocol';
import { newId } from '../../shared/domain/ids';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { rawCall, routePath } from '../support/http';
import { callRoute } from '../support/api';
import type { HubProcess } from '../support/hub-process';
import { connected, openTerminalSocket } from '../support/terminal-socket';

type Page<T> = { items: T[]; cursor: string; hasMore: boolean; total: number };
type ErrorReply = { error: { code: string; message: string; details?: unknown } };

const customerFeed = feedPage(customerFeedItem);
const isTomb = (i: CustomerFeedItem): i is CustomerTombstone => 'deleted' in i;
let phoneCounter = 0;
/** A fresh valid mainland mobile number per call. */
const nextPhone = () => `13${String(700000000 + (phoneCounter += 1)).padStart(9, '0')}`;

describeOnBackends('customer feed, registration, online events and merges', (backend) => {
  let hub: HubProcess;
  let store: StoreFixture;
  let other: StoreFixture;
  beforeAll(async () => {
    hub = await backend.startHub();
    store = await createStoreFixture(hub, { name: 'Shanghai IFC' });
    other = await createStoreFixture(hub, { name: 'Beijing Sanlitun' });
    await callRoute(hub, endpoints.importProducts, {
      body: {
        products: [
          { sku: 'DR-1', name: '真丝连衣裙', category: 'dress', price: 89900 },
          { sku: 'CO-2', name: '羊毛大衣', category: 'coat', price: 199900 },
        ],
      },
    });
  });
  afterAll(() => backend.cleanup());

  const token = () => store.terminals[0]!.token;
  const pull = (after = '0', limit = 1000, t = token()) =>
    callRoute(hub, endpoints.syncCustomers, { query: { after, limit } }, { token: t }).then(
      (r) => ({ ...r, body: r.body as Page<CustomerFeedItem> }),
    );
  /** The whole feed from a cursor, folded the way a terminal applies it (last write wins). */
  const pullAll = async (after = '0', limit = 1000) => {
    const state = new Map<string, CustomerFeedItem>();
    const seen: CustomerFeedItem[] = [];
    let cursor = after;
    for (;;) {
      const r = await pull(cursor, limit);
      expect(r.status).toBe(200);
      // Every page honours the shared wire contract the terminal validates against.
      expect(customerFeed.safeParse(r.body).success).toBe(true);
      for (const item of r.body.items) {
        seen.push(item);
        state.set(item.id, item);
      }
      cursor = r.body.cursor;
      if (!r.body.hasMore) break;
    }
    return { state, seen, cursor };
  };
  const register = (body: z.input<typeof customerRegistration>, t = token()) =>
    callRoute(hub, endpoints.registerCustomer, { body }, { token: t });
  // Event literals are built in loops (their strings widen): the hub's schema judges them.
  const events = (list: object[]) =>
    callRoute(hub, endpoints.onlineEvents, {
      body: { events: list as z.input<typeof onlineEvent>[] },
    });
  const merge = (sourceId: string, targetId: string) =>
    callRoute(hub, endpoints.mergeCustomers, { body: { sourceId, targetId } });

  it('refuses every endpoint without credentials', async () => {
    expect((await rawCall(hub, 'POST', routePath(endpoints.registerCustomer), {})).status).toBe(
      401,
    );
    expect(
      (
        await rawCall(
          hub,
          'POST',
          routePath(endpoints.registerCustomer),
          {},
          {
            token: 'sgt_not-a-token',
          },
        )
      ).status,
    ).toBe(401);
    expect(
      (await rawCall(hub, 'POST', routePath(endpoints.onlineEvents), { events: [] })).status,
    ).toBe(401);
    expect((await rawCall(hub, 'POST', routePath(endpoints.mergeCustomers), {})).status).toBe(401);
    expect((await callRoute(hub, endpoints.syncCustomers, {}, { token: 'sgt_nope' })).status).toBe(
      401,
    );
  });

  it("registers a customer in store and shows them in that store's feed, not another store's", async () => {
    const id = newId();
    const r = await register({
      id,
      name: '孙丽',
      phone: '+86 137-1111-2222',
      gender: 'female',
      birthday: '1992-05-01',
      sizes: { top: 'S' },
      consentMarketing: true,
      guideId: store.guide.id,
    });
    expect(r.status).toBe(201);
    expect(registrationResponse.safeParse(r.body).success).toBe(true);
    expect(r.body.status).toBe('created');
    expect(r.body.customer).toMatchObject({
      id,
      name: '孙丽',
      phoneLast4: '2222',
      homeStoreId: store.storeId,
      // month-day only: the counter greets a birthday, it has no use for the year
      birthday: '05-01',
      sizes: { top: 'S' },
    });
    expect(typeof r.body.customer.phoneTag).toBe('number');
    // Not the number, a masked form, the full hash, the birth year (as a date, a string or a
    // number — not any "1992" run of digits: the random member code or the id may hold one, as
    // CI's M1992012899 did) or fields the counter never reads.
    expect(JSON.stringify(r.body)).not.toMatch(
      /13711112222|137\*|phoneHash|phoneMasked|"1992-|"1992"|:1992[,}]|consentMarketing|createdAt|updatedAt/,
    );
    // Store-scoped feeds (the default): registered here, she enters this store's scope — its
    // other counter's next pull carries her — and no other store's terminals cache her.
    const here = await pull('0', 1000, store.terminals[1]!.token);
    expect(here.body.items.some((i) => i.id === id)).toBe(true);
    const elsewhere = await pull('0', 1000, other.terminals[0]!.token);
    expect(elsewhere.body.items.some((i) => i.id === id)).toBe(false);
  });

  it('deduplicates registration by phone in any format, and is idempotent on the same id', async () => {
    const phone = nextPhone();
    const first = await register({ id: newId(), name: '周杰', phone });
    expect(first.status).toBe(201);
    const formatted = `+86 ${phone.slice(0, 3)} ${phone.slice(3, 7)} ${phone.slice(7)}`;
    const dup = await register({ id: newId(), name: '周杰伦', phone: formatted });
    expect(dup.status).toBe(200);
    expect(dup.body.status).toBe('existing');
    expect(dup.body.customer.id).toBe(first.body.customer.id);
    expect(dup.body.customer.name).toBe('周杰');
    const resend = await register({ id: first.body.customer.id, name: '周杰', phone });
    expect(resend.status).toBe(200);
    expect(resend.body.customer.memberCode).toBe(first.body.customer.memberCode);
    const { state } = await pullAll();
    const withPhone = [...state.values()].filter(
      (i) =>
        !isTomb(i) &&
        i.phoneLast4 === phone.slice(-4) &&
        i.phoneTag === first.body.customer.phoneTag,
    );
    expect(withPhone).toHaveLength(1);
  });

  it('creates one customer when two counters register the same number at once', async () => {
    const phone = nextPhone();
    const formats = [
      phone,
      `+86 ${phone}`,
      `${phone.slice(0, 3)}-${phone.slice(3, 7)}-${phone.slice(7)}`,
    ];
    const replies = await Promise.all(
      [0, 1, 2, 3, 4, 5].map((n) =>
        register(
          { id: newId(), name: `同时${n}`, phone: formats[n % formats.length]! },
          store.terminals[n % 2]!.token,
        ),
      ),
    );
    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(new Set(replies.map((r) => r.body.customer.id)).size).toBe(1);
  });

  it('accepts uuids in upper case (some terminals and CRMs spell them so)', async () => {
    const id = newId();
    const created = await register({ id: id.toUpperCase(), name: '大写', phone: nextPhone() });
    expect(created.status).toBe(201);
    expect(created.body.customer.id).toBe(id);
    const resent = await register({ id: id.toUpperCase(), name: '大写', phone: nextPhone() });
    expect(resent.status).toBe(200);
    expect(resent.body.customer.id).toBe(id);
    const r = await events([
      {
        id: `upper-${id}`,
        customer: { customerId: id.toUpperCase() },
        type: 'viewed',
        sku: 'DR-1',
        channel: 'app',
        at: new Date().toISOString(),
      },
    ]);
    expect(r.body.results).toEqual([{ id: `upper-${id}`, status: 'accepted' }]);
  });

  it('answers invalid registrations with 400 and writes nothing', async () => {
    const before = (await pull()).body.cursor;
    const bad: Record<string, unknown>[] = [
      {},
      { id: 'not-a-uuid', name: 'x', phone: nextPhone() },
      { id: newId(), name: '', phone: nextPhone() },
      { id: newId(), name: 'x', phone: '12345' },
      { id: newId(), name: 'x', phone: '+86 100 0000 0000' },
      { id: newId(), name: 'x', phone: nextPhone(), gender: 'robot' },
      { id: newId(), name: 'x', phone: nextPhone(), birthday: '31/12/1990' },
      { id: newId(), name: 'x', phone: nextPhone(), birthday: '0000-01-01' },
      { id: newId(), name: 'x', phone: nextPhone(), birthday: '2999-01-01' },
      { id: newId(), name: 'x', phone: nextPhone(), createdAt: '0000-01-01T00:00:00Z' },
      { id: newId(), name: 'x', phone: nextPhone(), guideId: other.guide.id },
    ];
    for (const body of bad) {
      // raw on purpose: registrations the schema refuses
      const r = await rawCall<ErrorReply>(
        hub,
        'POST',
        routePath(endpoints.registerCustomer),
        body,
        {
          token: token(),
        },
      );
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe('invalid_input');
    }
    expect((await pull(before)).body.items).toEqual([]);
  });

  it('delivers an online behaviour event to a connected terminal, then in the next pull', async () => {
    const reg = await register({ id: newId(), name: '吴倩', phone: nextPhone() });
    const customerId = reg.body.customer.id;
    const { cursor } = await pullAll();

    const socket = openTerminalSocket(hub, store.terminals[1]!.token);
    try {
      await connected(socket);
      // Hints are coalesced (≤ 1 per 500 ms per node, server/realtime/change-hints.ts), so the
      // hint of an earlier change — this test's registration — can reach the new socket after it
      // connects, with a cursor this terminal has already pulled past (a terminal's pull then
      // finds nothing new). The event's hint is the first one beyond the cursor.
      const changed = new Promise<{ cursor: string }>((resolve) =>
        socket.on('customers:changed', (payload) => {
          if (BigInt(payload.cursor) > BigInt(cursor)) resolve(payload);
        }),
      );
      const at = new Date().toISOString();
      const r = await events([
        {
          id: 'ev-view-1',
          customer: { customerId },
          type: 'viewed',
          sku: 'DR-1',
          channel: 'app',
          at,
          dwellSeconds: 95,
        },
        {
          id: 'ev-cart-1',
          customer: { memberCode: reg.body.customer.memberCode },
          type: 'carted',
          sku: 'CO-2',
          channel: 'wechat',
          at,
        },
      ]);
      expect(r.body.results).toEqual([
        { id: 'ev-view-1', status: 'accepted' },
        { id: 'ev-cart-1', status: 'accepted' },
      ]);
      const signal = await changed;

      const next = await pull(cursor);
      const profile = next.body.items.find((i) => i.id === customerId) as CustomerProfile;
      // The trail as the counter shows it: no channel, no last-online instant (minimised feed).
      expect(profile.online.viewed).toEqual([
        { sku: 'DR-1', name: '真丝连衣裙', at, dwellSeconds: 95 },
      ]);
      expect(profile.online.carted.map((i) => i.sku)).toEqual(['CO-2']);
      expect(profile.online).not.toHaveProperty('lastOnlineAt');
      expect(profile.online).not.toHaveProperty('channel');
      expect(BigInt(next.body.cursor) >= BigInt(signal.cursor)).toBe(true);
    } finally {
      socket.close();
    }
  });

  it('keeps trails newest first and unique, counts online orders, and ignores resent events', async () => {
    const phone = nextPhone();
    const reg = await register({ id: newId(), name: '郑爽', phone });
    const customerId = reg.body.customer.id;
    // Minutes within the last two hours (events in the future are refused).
    const base = Date.now() - 2 * 3_600_000;
    const t = (m: number) => new Date(base + m * 60_000).toISOString();
    const views = Array.from({ length: 25 }, (_, i) => ({
      id: `trail-${customerId}-${i}`,
      customer: { customerId },
      type: 'viewed',
      sku: `SKU-${i}`,
      channel: 'web',
      at: t(i),
    }));
    // SKU-3 viewed again, later than everything else: it moves to the front, once.
    views.push({ ...views[3]!, id: `trail-${customerId}-again`, at: t(40) });
    const first = await events([
      ...views,
      // the same event twice in one batch counts once
      { ...views[0]!, at: t(50) },
      {
        id: `order-${customerId}`,
        // head office may only know the phone, in its own format
        customer: { phone: `+86 ${phone}` },
        type: 'ordered',
        channel: 'app',
        at: t(41),
        amount: 25900,
      },
    ]);
    expect(first.body.results.filter((x) => x.status !== 'accepted')).toEqual([
      { id: views[0]!.id, status: 'duplicate' },
    ]);
    const before = (await pull()).body.cursor;
    const again = await events(views.slice(0, 2));
    expect(again.body.results.map((x) => x.status)).toEqual(['duplicate', 'duplicate']);
    expect((await pull(before)).body.items).toEqual([]);

    const { state } = await pullAll();
    const p = state.get(customerId) as CustomerProfile;
    expect(p.online.viewed).toHaveLength(20);
    expect(p.online.viewed[0]!.sku).toBe('SKU-3');
    expect(p.online.viewed[1]!.sku).toBe('SKU-24');
    expect(new Set(p.online.viewed.map((v) => v.sku)).size).toBe(20);
    expect(p.online).toMatchObject({ onlineOrders: 1, onlineSpend: 25900 });
    expect(p.lifetimeSpend).toBe(25900);
  });

  it('rejects events per item (unknown customer, missing sku) and whole bodies that are invalid', async () => {
    const r = await events([
      {
        id: 'bad-1',
        customer: { customerId: newId() },
        type: 'viewed',
        sku: 'DR-1',
        channel: 'app',
        at: new Date().toISOString(),
      },
      {
        id: 'bad-2',
        customer: { phone: nextPhone() },
        type: 'viewed',
        sku: 'DR-1',
        channel: 'app',
        at: new Date().toISOString(),
      },
      {
        id: 'bad-3',
        customer: { crmId: 'nobody' },
        type: 'carted',
        channel: 'app',
        at: new Date().toISOString(),
      },
    ]);
    expect(r.body.results.map((x) => [x.id, x.status])).toEqual([
      ['bad-1', 'rejected'],
      ['bad-2', 'rejected'],
      ['bad-3', 'rejected'],
    ]);
    expect(r.body.results[0]!.reason).toMatch(/unknown customer/);
    const known = (await register({ id: newId(), name: '时钟', phone: nextPhone() })).body.customer;
    const viewed = {
      customer: { customerId: known.id },
      type: 'viewed',
      sku: 'DR-1',
      channel: 'app',
    };
    // Instants outside 2000–2100 or with an impossible offset are malformed: the batch is a 400
    // naming them (year 0000 and +23:59 used to reach the database and answer 500).
    const malformed = await events([
      { ...viewed, id: 'clock-0', at: new Date().toISOString() },
      { ...viewed, id: 'clock-1', at: '0000-01-01T00:00:00Z' },
      { ...viewed, id: 'clock-2', at: '2999-01-01T00:00:00Z' },
      { ...viewed, id: 'clock-3', at: '2026-06-01T10:00:00+23:59' },
    ]);
    expect(malformed.status).toBe(400);
    expect(
      (malformed.body as unknown as { error: { details: { path: string }[] } }).error.details.map(
        (d) => d.path,
      ),
    ).toEqual(['events.1.at', 'events.2.at', 'events.3.at']);
    // A well-formed time too far ahead of the hub's clock is that event's rejection alone.
    const clock = await events([
      { ...viewed, id: 'clock-4', at: '2099-01-01T00:00:00Z' },
      { ...viewed, id: 'clock-5', at: new Date().toISOString() },
    ]);
    expect(clock.status).toBe(200);
    expect(clock.body.results.map((x) => x.status)).toEqual(['rejected', 'accepted']);

    const before = (await pull()).body.cursor;
    const customerId = (await register({ id: newId(), name: '冯敏', phone: nextPhone() })).body
      .customer.id;
    const mid = (await pull()).body.cursor;
    expect(mid).not.toBe(before);
    for (const body of [
      {},
      { events: [] },
      {
        events: [
          {
            id: 'x',
            customer: { customerId },
            type: 'liked',
            sku: 'DR-1',
            channel: 'app',
            at: new Date().toISOString(),
          },
        ],
      },
      {
        events: [
          {
            id: 'x',
            customer: { customerId },
            type: 'viewed',
            sku: 'DR-1',
            channel: 'app',
            at: 'yesterday',
          },
        ],
      },
      {
        events: [
          {
            id: 'x',
            customer: { customerId },
            type: 'ordered',
            channel: 'app',
            at: new Date().toISOString(),
            amount: -1,
          },
        ],
      },
    ]) {
      // raw on purpose: bodies the schema refuses
      const bad = await rawCall<ErrorReply>(hub, 'POST', routePath(endpoints.onlineEvents), body, {
        integration: true,
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('invalid_input');
    }
    expect((await pull(mid)).body.items).toEqual([]);
  });

  it('merges a duplicate: a tombstone in the feed, the target absorbs phone, trail and events', async () => {
    const sourcePhone = nextPhone();
    const source = await register({ id: newId(), name: '王五', phone: sourcePhone });
    const crm = await callRoute(hub, endpoints.importCustomers, {
      body: {
        customers: [
          // homed at the store: its feed carries her, as it carries the member registered here
          {
            crmId: 'CRM-MERGE-T',
            name: '王五',
            tier: 'gold',
            points: 100,
            homeStoreId: store.storeId,
          },
        ],
      },
    });
    expect(crm.body.results[0]!.status).toBe('accepted');
    const { state: s0, cursor } = await pullAll();
    const target = [...s0.values()].find(
      (i) => !isTomb(i) && i.name === '王五' && i.phoneTag === null,
    ) as CustomerProfile;
    const sourceId = source.body.customer.id;
    await events([
      {
        id: `merge-ev-${sourceId}`,
        customer: { customerId: sourceId },
        type: 'wishlisted',
        sku: 'CO-2',
        channel: 'app',
        at: new Date().toISOString(),
      },
    ]);

    const r = await merge(sourceId, target.id);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('merged');
    expect(mergeResponse.safeParse(r.body).success).toBe(true);
    expect(r.body.tombstone).toMatchObject({ id: sourceId, deleted: true, mergedInto: target.id });
    expect(r.body.customer).toMatchObject({
      id: target.id,
      tier: 'gold',
      points: 100,
      phoneLast4: source.body.customer.phoneLast4,
      phoneTag: source.body.customer.phoneTag,
    });
    expect(r.body.customer.online.wishlisted.map((w) => w.sku)).toEqual(['CO-2']);

    const { seen, state } = await pullAll(cursor);
    expect(state.get(sourceId)).toEqual({
      id: sourceId,
      seq: expect.any(String),
      deleted: true,
      mergedInto: target.id,
    });
    expect(seen.filter((i) => i.id === sourceId)).toHaveLength(1);
    expect((state.get(target.id) as CustomerProfile).phoneLast4).toBe(
      source.body.customer.phoneLast4,
    );

    // The phone now belongs to the target: registering it again answers with the survivor.
    const again = await register({ id: newId(), name: '王五', phone: `+86${sourcePhone}` });
    expect(again.status).toBe(200);
    expect(again.body.customer.id).toBe(target.id);
    // Events addressed to the old id land on the survivor.
    const late = await events([
      {
        id: `merge-late-${sourceId}`,
        customer: { customerId: sourceId },
        type: 'viewed',
        sku: 'DR-1',
        channel: 'web',
        at: new Date().toISOString(),
      },
    ]);
    expect(late.body.results[0]!.status).toBe('accepted');
    const after = await pullAll(cursor);
    expect(
      (after.state.get(target.id) as CustomerProfile).online.viewed.map((v) => v.sku),
    ).toContain('DR-1');

    // Resend is idempotent; a bad merge is refused.
    expect((await merge(sourceId, target.id)).body.status).toBe('already_merged');
    expect((await merge(target.id, target.id)).status).toBe(400);
    expect((await merge(newId(), target.id)).status).toBe(404);
    expect((await merge(target.id, sourceId)).status).toBe(409);
    const bad = await rawCall<ErrorReply>(
      hub,
      'POST',
      routePath(endpoints.mergeCustomers),
      { sourceId: 'x' }, // raw on purpose: no target
      { integration: true },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_input');
  });

  it("re-points the source's visit: the survivor seen again is the same visit and alert", async () => {
    const source = await register({ id: newId(), name: '钱七', phone: nextPhone() });
    const target = await register({ id: newId(), name: '钱七', phone: nextPhone() });
    const seen = await callRoute(hub, endpoints.presence, {
      body: {
        customer: { customerId: source.body.customer.id },
        storeId: store.storeId,
        source: 'qr',
      },
    });
    expect(seen.status).toBe(202);
    expect(seen.body.alertId).not.toBeNull();
    expect((await merge(source.body.customer.id, target.body.customer.id)).status).toBe(200);
    const again = await callRoute(hub, endpoints.presence, {
      body: {
        customer: { customerId: target.body.customer.id },
        storeId: store.storeId,
        source: 'wifi',
      },
    });
    expect(again.status).toBe(202);
    // Same visit and the same (first) alert: nothing new for the guides to chase.
    expect(again.body).toEqual(seen.body);
  });

  it('answers a bad feed query with 400', async () => {
    for (const q of [
      'after=abc',
      'after=-5',
      'after=9999999999999999999',
      'limit=0',
      'limit=5001',
      'limit=ten',
    ]) {
      // raw on purpose: hostile queries
      const r = await rawCall<ErrorReply>(
        hub,
        'GET',
        `${routePath(endpoints.syncCustomers)}?${q}`,
        undefined,
        { token: token() },
      );
      expect(r.status, q).toBe(400);
      expect(r.body.error.code).toBe('invalid_input');
    }
    const max = await pull('0', 5000);
    expect(max.status).toBe(200);
  });

  it('pages without missing or repeating a row while writers keep changing customers', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const r = await register({ id: newId(), name: `并发${i}`, phone: nextPhone() });
      ids.push(r.body.customer.id);
    }
    const { cursor: start } = await pullAll();
    // Writer: a bounded loop of registrations and online events racing the reader.
    let writes = 0;
    let done = false;
    const writer = (async () => {
      for (let round = 0; round < 60; round++) {
        if (round % 2 === 0) {
          await register({ id: newId(), name: `新客${round}`, phone: nextPhone() });
        } else {
          const target = ids[round % ids.length]!;
          await events([
            {
              id: `race-${round}-${target}`,
              customer: { customerId: target },
              type: 'viewed',
              sku: 'DR-1',
              channel: 'app',
              at: new Date(Date.now() - 3_600_000 + round * 1000).toISOString(),
            },
          ]);
        }
        writes += 1;
      }
      done = true;
    })();

    // Reader: small pages, from the cursor, until the writer is done and the feed is drained.
    const state = new Map<string, CustomerFeedItem>();
    let cursor = start;
    let lastSeq = BigInt(start);
    let pages = 0;
    for (;;) {
      const finished = done;
      const r = await pull(cursor, 7);
      pages += 1;
      for (const item of r.body.items) {
        // Strictly increasing seq across pages: nothing repeated, nothing out of order.
        expect(BigInt(item.seq) > lastSeq).toBe(true);
        lastSeq = BigInt(item.seq);
        state.set(item.id, item);
      }
      cursor = r.body.cursor;
      if (finished && !r.body.hasMore) break;
    }
    await writer;
    expect(writes).toBe(60);
    expect(pages).toBeGreaterThan(1);

    // Final state the reader assembled equals a fresh full pull from the same starting point.
    const fresh = await pullAll(start, 1000);
    expect(new Map([...state].map(([k, v]) => [k, v.seq]))).toEqual(
      new Map([...fresh.state].map(([k, v]) => [k, v.seq])),
    );
    expect([...state.values()].filter((i) => !isTomb(i) && i.name.startsWith('新客'))).toHaveLength(
      30,
    );
    for (let round = 1; round < 60; round += 2) {
      const p = state.get(ids[round % ids.length]!) as CustomerProfile;
      expect(p.online.viewed.map((v) => v.sku)).toContain('DR-1');
    }
  });

  it('reports the rows remaining after the cursor as total', async () => {
    const first = await pull('0', 5);
    expect(first.body.hasMore).toBe(true);
    const second = await pull(first.body.cursor, 5);
    expect(second.body.total).toBe(first.body.total - 5);
    const end = await pullAll();
    const tail = await pull(end.cursor);
    expect(tail.body).toEqual({
      items: [],
      cursor: end.cursor,
      hasMore: false,
      total: 0,
      feed: `store:${store.storeId}`,
    });
  });

  it('skips the remaining-rows count when asked to (later pages of a terminal run)', async () => {
    const first = await pull('0', 5);
    const query = (withTotal: boolean) =>
      callRoute(
        hub,
        endpoints.syncCustomers,
        { query: { after: first.body.cursor, limit: 5, withTotal } },
        { token: token() },
      );
    const without = await query(false);
    expect(without.status).toBe(200);
    expect(without.body).not.toHaveProperty('total');
    const withIt = await query(true);
    expect(withIt.body.total).toBe(first.body.total - 5);
    expect(without.body.items).toEqual(withIt.body.items);
    // raw on purpose: a value the schema refuses
    const bad = await rawCall(
      hub,
      'GET',
      routePath(endpoints.syncCustomers, undefined, {
        after: first.body.cursor,
        limit: 5,
        withTotal: 'maybe',
      }),
      undefined,
      { token: token() },
    );
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'invalid_input' } });
  });
});
