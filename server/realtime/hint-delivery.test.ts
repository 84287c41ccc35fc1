import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Server } from 'socket.io';
import { createHintDelivery, HINT_HEAD } from './hint-delivery';
import type { TerminalNamespace } from './realtime';

type Delivered = { to: string[] | 'all'; event: string; cursor: string };

/** A node's sockets (what `terminals.local` delivers) and its end of the peers' bus. */
let nodes = 0;
function fakeNode(bus: { nodes: Map<string, (event: string, payload: unknown) => void> }) {
  const delivered: Delivered[] = [];
  const announced: unknown[] = [];
  const terminals = {
    local: {
      emit: (event: string, payload: { cursor: string }) =>
        delivered.push({ to: 'all', event, cursor: payload.cursor }),
      to: (rooms: string[]) => ({
        emit: (event: string, payload: { cursor: string }) =>
          delivered.push({ to: rooms, event, cursor: payload.cursor }),
      }),
    },
  } as unknown as TerminalNamespace;
  nodes += 1;
  const id = `node-${nodes}`;
  const peers = {
    serverSideEmit: (event: string, payload: unknown) => {
      announced.push(payload);
      for (const [other, listener] of bus.nodes) if (other !== id) listener(event, payload);
      return true;
    },
    on: (event: string, listener: (payload: unknown) => void) => {
      bus.nodes.set(id, (name, payload) => {
        if (name === event) listener(payload);
      });
    },
  } as unknown as Pick<Server, 'serverSideEmit' | 'on'>;
  return { terminals, peers, delivered, announced };
}

describe('createHintDelivery: every node tells its own sockets of every node’s changes', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const log = { warn: vi.fn() };

  it('delivers a change once per node, announces a head once and never echoes a peer’s', async () => {
    const bus = { nodes: new Map<string, (event: string, payload: unknown) => void>() };
    const [a, b] = [fakeNode(bus), fakeNode(bus)];
    // Both nodes route the same database: stores changed since each one's previous call.
    const changedStores = new Map<bigint, string>([
      [11n, 's-1'],
      [12n, 's-2'],
    ]);
    const router = () => {
      let after = 10n;
      return (upTo: string) => {
        const stores = [...changedStores]
          .filter(([seq]) => seq > after && seq <= BigInt(upTo))
          .map(([, s]) => s);
        after = BigInt(upTo) > after ? BigInt(upTo) : after;
        return Promise.resolve(stores);
      };
    };
    const deliveryA = createHintDelivery({ ...a, route: router(), log, spacingMs: 500 });
    const deliveryB = createHintDelivery({ ...b, route: router(), log, spacingMs: 500 });

    deliveryA.own('customers:changed', '11');
    await vi.advanceTimersByTimeAsync(0);
    deliveryB.own('customers:changed', '12');
    await vi.advanceTimersByTimeAsync(2_000);

    // Each node's sockets of store 1 heard change 11 once, of store 2 change 12 once.
    for (const node of [a, b]) {
      const heard = node.delivered.flatMap((d) => (d.to === 'all' ? ['all'] : d.to));
      expect(heard.sort()).toEqual(['store:s-1', 'store:s-2']);
    }
    // One announcement per own head; the peer's heads were not passed on.
    expect(a.announced).toEqual([{ event: 'customers:changed', cursor: '11' }]);
    expect(b.announced).toEqual([{ event: 'customers:changed', cursor: '12' }]);
    deliveryA.close();
    deliveryB.close();
  });

  it('without a route, tells all of this node’s sockets; a malformed peer head is ignored', async () => {
    const bus = { nodes: new Map<string, (event: string, payload: unknown) => void>() };
    const [a, b] = [fakeNode(bus), fakeNode(bus)];
    const deliveryA = createHintDelivery({ ...a, route: undefined, log, spacingMs: 500 });
    for (const bad of [
      { event: 'alert:new', cursor: '5' },
      { event: 'catalog:changed', cursor: 'drop table' },
      { event: 'catalog:changed', cursor: '1'.repeat(40) },
      'catalog:changed',
      null,
    ])
      b.peers.serverSideEmit(HINT_HEAD, bad);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(a.delivered).toEqual([]);

    b.peers.serverSideEmit(HINT_HEAD, { event: 'catalog:changed', cursor: '7' });
    await vi.advanceTimersByTimeAsync(0);
    expect(a.delivered).toEqual([{ to: 'all', event: 'catalog:changed', cursor: '7' }]);
    expect(a.announced).toEqual([]);
    deliveryA.close();
  });
});
