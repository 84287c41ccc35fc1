import type { FastifyBaseLogger } from 'fastify';
import type { Server } from 'socket.io';
import { z } from 'zod';
import { coalescedHints, type HintEvent } from './change-hints';
import type { TerminalNamespace } from './realtime';
import { storeRoom } from './rooms';

/** Node to node (not terminals): "my writes have moved this feed's head to `cursor`". */
export const HINT_HEAD = 'hint:head';
const hintHead = z.object({
  event: z.enum(['customers:changed', 'catalog:changed']),
  cursor: z.string().regex(/^\d{1,19}$/),
});

/**
 * How a node delivers the chain's "pull from your cursor" hints (`customers:changed`,
 * `catalog:changed`): **each node to its own sockets only**, for the changes of every node.
 *
 * A node's own writes (`own`) and the heads its peers announce (`hint:head` through Redis) feed one
 * coalescer (change-hints.ts: at most one hint per event every `spacingMs`); each coalesced hint
 * goes to this node's sockets, routed to the stores that hold a changed member when `route` is set
 * (server/customers/hint-stores.ts: the stores changed since this node's previous call, whoever
 * wrote the changes). A node announces its own new head to its peers once per window.
 *
 * Before (issue #17, bench:chain): every node routed the whole range since its own previous hint
 * and emitted to the stores' rooms through the Redis adapter, one Redis message per store. With
 * both nodes writing, each range was routed twice and every terminal of a store holding a changed
 * member heard each change twice — in bench:chain 3.2 `customers:changed` per alert delivered,
 * and a real terminal pulls its feed on each.
 *
 * A peer's head lost (Redis away) is made good by the resync every node sends its terminals when
 * the link returns (realtime.ts); a head that arrives late only widens the next routed range.
 */
export function createHintDelivery(options: {
  terminals: TerminalNamespace;
  /** the other nodes (`serverSideEmit` and its listeners, with REDIS_URL), or null */
  peers: Pick<Server, 'serverSideEmit' | 'on'> | null;
  /** store-scoped customer feeds: the stores a `customers:changed` hint up to a cursor concerns */
  route: ((upTo: string) => Promise<string[]>) | undefined;
  log: Pick<FastifyBaseLogger, 'warn'>;
  spacingMs: number;
}) {
  const { terminals, peers, route, log } = options;
  /** this node's own highest cursor per event, and the highest it has announced */
  const ownHead = new Map<HintEvent, bigint>();
  const announced = new Map<HintEvent, bigint>();
  const announceOwn = (event: HintEvent) => {
    const head = ownHead.get(event);
    if (!peers || head === undefined || head <= (announced.get(event) ?? -1n)) return;
    announced.set(event, head);
    peers.serverSideEmit(HINT_HEAD, { event, cursor: head.toString() });
  };

  const deliver = (event: HintEvent, cursor: string) => {
    announceOwn(event);
    if (event !== 'customers:changed' || !route) {
      terminals.local.emit(event, { cursor });
      return;
    }
    route(cursor).then(
      (stores) => {
        if (stores.length > 0) terminals.local.to(stores.map(storeRoom)).emit(event, { cursor });
      },
      (error: unknown) => {
        // Degrade to telling all of this node's terminals rather than none: each pulls from its
        // own cursor.
        log.warn({ err: error }, 'customer hint not routed to stores; sent to all');
        terminals.local.emit(event, { cursor });
      },
    );
  };
  const hints = coalescedHints(deliver, options.spacingMs);

  peers?.on(HINT_HEAD, (payload: unknown) => {
    const head = hintHead.safeParse(payload);
    if (head.success) hints.send(head.data.event, head.data.cursor);
  });

  return {
    /** after a commit of this node that moved `event`'s feed to `cursor` */
    own(event: HintEvent, cursor: string) {
      const at = BigInt(cursor);
      if (at > (ownHead.get(event) ?? -1n)) ownHead.set(event, at);
      hints.send(event, cursor);
    },
    close() {
      hints.close();
    },
  };
}
