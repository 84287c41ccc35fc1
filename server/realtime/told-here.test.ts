import { describe, expect, it } from 'vitest';
import type { AlertUpdate, ArrivalAlert } from '../../shared/protocol';
import { countingPeerDeliveries, createToldHere } from './told-here';

const STORE = '0190a0b0-0000-7000-8000-000000000001';
const ID = '0190a0b0-0000-7000-8000-0000000000a1';

/** An alert as the presence path emits it (instants as the event gave them). */
const raised = (over: Partial<ArrivalAlert> = {}): ArrivalAlert => ({
  alertId: ID,
  visitId: '0190a0b0-0000-7000-8000-0000000000b1',
  storeId: STORE,
  at: '2026-12-07T08:00:00.120+08:00',
  source: 'beacon',
  status: 'open',
  claimedBy: null,
  claimedAt: null,
  expiresAt: '2026-12-07T00:15:00.120Z',
  convertedAt: null,
  card: { name: '王芳' } as ArrivalAlert['card'],
  lastSeenAt: '2026-12-07T08:00:00.120+08:00',
  ...over,
});
/** The same alert as read back from the database (UTC instants). */
const stored = (over: Partial<ArrivalAlert> = {}): ArrivalAlert =>
  raised({ at: '2026-12-07T00:00:00.120Z', lastSeenAt: '2026-12-07T00:00:00.120Z', ...over });
const claim = (over: Partial<AlertUpdate> = {}): AlertUpdate => ({
  alertId: ID,
  storeId: STORE,
  status: 'claimed',
  claimedBy: { guideId: '0190a0b0-0000-7000-8000-0000000000c1', name: '李娜' },
  claimedAt: '2026-12-07T00:01:00.000Z',
  convertedAt: null,
  orderId: null,
  ...over,
});

describe('what a node told its own sockets of an alert', () => {
  it('matches the stored alert it emitted, instants compared as instants', () => {
    const told = createToldHere({ windowMs: 60_000, now: () => 0 });
    expect(told.toldAsIs(stored())).toBe(false); // never told here
    told.told(raised());
    expect(told.toldAsIs(stored())).toBe(true);
    // Stored without lastSeenAt (an older row): `at` stands for it, as terminals read it.
    expect(told.toldAsIs(stored({ lastSeenAt: undefined }))).toBe(true);
  });

  it('any change made elsewhere since means it is re-sent', () => {
    const told = createToldHere({ windowMs: 60_000, now: () => 0 });
    told.told(raised());
    const claimed = { status: 'claimed' as const, claimedAt: '2026-12-07T00:01:00.000Z' };
    expect(told.toldAsIs(stored(claimed))).toBe(false);
    expect(told.toldAsIs(stored({ status: 'expired' }))).toBe(false);
    expect(told.toldAsIs(stored({ lastSeenAt: '2026-12-07T00:02:00.120Z' }))).toBe(false);
    expect(
      told.toldAsIs(
        stored({ ...claimed, status: 'converted', convertedAt: '2026-12-07T00:05:00.000Z' }),
      ),
    ).toBe(false);
    // The claim told here as well: now it matches again (lastSeenAt kept from the arrival).
    told.told(claim());
    expect(told.toldAsIs(stored(claimed))).toBe(true);
  });

  it('updates alone never match: the arrival was emitted elsewhere, and a terminal without it drops them', () => {
    const told = createToldHere({ windowMs: 60_000, now: () => 0 });
    told.told(claim());
    const claimed = { status: 'claimed' as const, claimedAt: '2026-12-07T00:01:00.000Z' };
    expect(told.toldAsIs(stored(claimed))).toBe(false);
    // Not even with her last sighting in it (a visit seen again, told here after the arrival
    // another node emitted and perhaps never published).
    told.told(claim({ lastSeenAt: '2026-12-07T00:00:00.120Z' }));
    expect(told.toldAsIs(stored(claimed))).toBe(false);
    const seenAgain = { lastSeenAt: '2026-12-07T00:02:00.120Z' };
    told.told({ ...claim(), status: 'open', claimedBy: null, claimedAt: null, ...seenAgain });
    expect(told.toldAsIs(stored(seenAgain))).toBe(false);
  });

  it('the arrival told here is remembered through later updates, until the window forgets it all', () => {
    let now = 0;
    const told = createToldHere({ windowMs: 1_000, now: () => now });
    told.told(raised());
    now = 900;
    const claimed = { status: 'claimed' as const, claimedAt: '2026-12-07T00:01:00.000Z' };
    told.told(claim());
    now = 1_500; // the arrival's own entry is past the window, the claim's is not
    expect(told.toldAsIs(stored(claimed))).toBe(true);
    now = 2_000; // both past it: forgotten, so re-sent
    expect(told.toldAsIs(stored(claimed))).toBe(false);
  });

  it('forgets what is older than its window, so memory stays bounded', () => {
    let now = 0;
    const told = createToldHere({ windowMs: 1_000, now: () => now });
    told.told(raised());
    for (let i = 0; i < 5_000; i++) {
      now = i; // 5 s of alerts, one a millisecond
      told.told(raised({ alertId: `0190a0b0-0000-7000-8000-${String(i).padStart(12, '0')}` }));
    }
    expect(told.size).toBeLessThanOrEqual(1_001);
    expect(told.toldAsIs(stored())).toBe(false); // told at 0, forgotten: re-sent (the safe side)
    now = 4_999;
    expect(told.toldAsIs(stored({ alertId: '0190a0b0-0000-7000-8000-000000004999' }))).toBe(true);
  });
});

describe('what the peers’ broadcasts told this node’s sockets', () => {
  const room = (storeId: string) => `store:${storeId}`;
  /** An adapter as the Redis one holds its parser (decoding is the identity here). */
  const setUp = () => {
    const told = createToldHere({ windowMs: 60_000, now: () => 0 });
    const adapter = { uid: 'me', parser: { encode: (m: unknown) => m, decode: (m: unknown) => m } };
    const make = countingPeerDeliveries(() => adapter, told);
    const made = make({ name: '/terminal' });
    const deliver = (uid: string, event: string, payload: unknown, options: object) =>
      made.parser.decode([uid, { type: 2, nsp: '/terminal', data: [event, payload] }, options]);
    return { told, made, deliver };
  };

  it('counts a peer’s alert:new and alert:updated to the alert’s store room as told here', () => {
    const { told, deliver } = setUp();
    deliver('peer', 'alert:new', raised(), { rooms: [room(STORE)], except: [] });
    expect(told.toldAsIs(stored())).toBe(true);
    deliver('peer', 'alert:updated', claim(), { rooms: [room(STORE)], except: [] });
    expect(told.toldAsIs(stored())).toBe(false);
    expect(
      told.toldAsIs(
        stored({ status: 'claimed', claimedAt: claim().claimedAt, claimedBy: claim().claimedBy }),
      ),
    ).toBe(true);
  });

  it('leaves out its own echoes, other rooms, sockets excepted, other namespaces and other shapes', () => {
    const { told, made, deliver } = setUp();
    deliver('me', 'alert:new', raised(), { rooms: [room(STORE)], except: [] });
    deliver('peer', 'alert:new', raised(), { rooms: ['store:elsewhere'], except: [] });
    deliver('peer', 'alert:new', raised(), { rooms: [room(STORE)], except: ['a-socket'] });
    deliver('peer', 'alert:new', { ...raised(), at: undefined }, { rooms: [room(STORE)] });
    made.parser.decode(['peer', { type: 2, nsp: '/', data: ['alert:new', raised()] }, {}]);
    made.parser.decode({ type: 'request', uid: 'peer' });
    expect(told.size).toBe(0);
    // Other namespaces' adapters are left as they are.
    const plain = { uid: 'me', parser: { encode: (m: unknown) => m, decode: (m: unknown) => m } };
    const other = countingPeerDeliveries(() => plain, told)({ name: '/' });
    expect(other.parser).toBe(plain.parser);
  });
});

describe('the node’s own broadcasts coming back through Redis', () => {
  /** MessagePack's short string: 0xa0 | length, then the bytes. */
  const str = (x: string) => Buffer.concat([Buffer.from([0xa0 | x.length]), Buffer.from(x)]);
  const setUp = () => {
    let decoded = 0;
    const base = {
      encode: (m: unknown) => (typeof m === 'string' ? str(m) : Buffer.alloc(0)),
      decode: (m: unknown) => {
        decoded += 1;
        return m;
      },
    };
    const told = createToldHere({ windowMs: 60_000, now: () => 0 });
    const adapter = { uid: 'abc123', parser: base };
    const made = countingPeerDeliveries(
      () => adapter,
      told,
    )({
      name: '/terminal',
    });
    return { made, decodes: () => decoded };
  };

  it('answers its own id without decoding the rest; a peer’s message is decoded', () => {
    const { made, decodes } = setUp();
    const own = Buffer.concat([Buffer.from([0x93]), str('abc123'), Buffer.from([0x83, 0xa4])]);
    expect(made.parser.decode(own)).toEqual(['abc123']);
    expect(decodes()).toBe(0);
    const peer = Buffer.concat([Buffer.from([0x93]), str('xyz789'), Buffer.from([0x83, 0xa4])]);
    expect(made.parser.decode(peer)).toBe(peer);
    // A request (a map, not a 3-element array) and a bare id are decoded too.
    made.parser.decode(Buffer.concat([Buffer.from([0x83]), str('abc123'), Buffer.from([0xc0])]));
    made.parser.decode(Buffer.concat([Buffer.from([0x93]), str('abc123')]));
    expect(decodes()).toBe(3);
  });
});
