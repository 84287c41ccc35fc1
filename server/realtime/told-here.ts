import {
  SocketEvents,
  TERMINAL_NAMESPACE,
  type AlertUpdate,
  type ArrivalAlert,
} from '../../shared/protocol';
import { storeRoom } from './rooms';

/**
 * What this node itself told its own sockets about each recent alert (issue #17 item 3).
 *
 * After a peer's silent death a surviving node re-sends its sockets the alerts of their stores
 * raised or changed in the peer's blind window (peer-watch.ts): the peer may have emitted them to
 * its own sockets only, its publish lost with it. An alert whose stored state is exactly what this
 * node emitted last was delivered to this node's sockets by this node (an emit reaches the local
 * sockets of the room at once, whatever becomes of its publish), so it need not go again. In
 * bench:chain's failover (two nodes, 1,000 arrivals/s) the survivor re-sent ≈ 20,000 alerts in one
 * burst — its own half of them included — while its live alerts waited behind them.
 *
 * Only a positive match skips an alert: one emitted elsewhere, changed since (a claim, an order,
 * an expiry, her being seen again), or forgotten (older than `windowMs`) is re-sent, as before.
 * Instants compare as instants (the presence path and the database format them differently).
 */
export type ToldHere = {
  /** Records an `alert:new` or `alert:updated` this node is emitting to its stores' rooms. */
  told(alert: ArrivalAlert | AlertUpdate): void;
  /** Whether this node emitted the alert's arrival and its last word on it was exactly this state. */
  toldAsIs(alert: ArrivalAlert): boolean;
  /** Alerts held (for tests). */
  readonly size: number;
};

/**
 * An alert whose arrival (`alert:new`) this node emitted itself, as it last told it. Only those are
 * kept: a terminal drops an `alert:updated` for an alert it does not hold (renderer
 * data/alerts.ts), so updates told here of an arrival another node emitted — whose publish may be
 * what was lost — say nothing, and never make a match.
 */
type State = {
  status: string;
  claimedAt: number | null;
  convertedAt: number | null;
  lastSeenAt: number;
  /** when this node last told it (for forgetting) */
  at: number;
};

const instant = (iso: string | null | undefined): number | null =>
  iso == null ? null : Date.parse(iso);

export function createToldHere(options: { windowMs: number; now?: () => number }): ToldHere {
  const now = options.now ?? Date.now;
  const states = new Map<string, State>();
  /** alert ids in the order they were last told, for forgetting the oldest */
  const order: { id: string; at: number }[] = [];
  let head = 0;

  const forget = (t: number) => {
    while (head < order.length && t - order[head]!.at > options.windowMs) {
      const { id, at } = order[head]!;
      if (states.get(id)?.at === at) states.delete(id);
      head += 1;
    }
    // Compact once the consumed prefix dominates, so the queue does not grow without bound.
    if (head > 1024 && head * 2 > order.length) {
      order.splice(0, head);
      head = 0;
    }
  };

  return {
    told(alert) {
      const t = now();
      forget(t);
      const before = states.get(alert.alertId);
      const arrivalSeenAt = 'at' in alert ? Date.parse(alert.at) : before?.lastSeenAt;
      if (arrivalSeenAt === undefined) return; // an update of an arrival not told here (or forgotten)
      states.set(alert.alertId, {
        status: alert.status,
        claimedAt: instant(alert.claimedAt),
        convertedAt: instant(alert.convertedAt),
        lastSeenAt: instant(alert.lastSeenAt) ?? arrivalSeenAt,
        at: t,
      });
      order.push({ id: alert.alertId, at: t });
    },
    toldAsIs(alert) {
      forget(now());
      const s = states.get(alert.alertId);
      return (
        s !== undefined &&
        s.status === alert.status &&
        s.claimedAt === instant(alert.claimedAt) &&
        s.convertedAt === instant(alert.convertedAt) &&
        s.lastSeenAt === (instant(alert.lastSeenAt) ?? instant(alert.at))
      );
    },
    get size() {
      return states.size;
    },
  };
}

/** What a Redis adapter decodes from a peer's message (a broadcast: [uid, packet, options]). */
type PeerParser = { encode(message: unknown): unknown; decode(message: unknown): unknown };
type ObservableAdapter = { readonly uid: unknown; readonly parser: PeerParser };

/**
 * The Redis adapter's factory, its adapter of the terminals' namespace also telling `toldHere` what the peers'
 * broadcasts delivered to this node's sockets: an `alert:new` or `alert:updated` a peer published
 * to the alert's store room reached every socket of that room on this node, exactly as if this node
 * had emitted it. After that peer's death the survivor then re-sends only what it never heard —
 * what the peer wrote but whose publish died with it — not every alert the peer raised in its
 * blind window (bench:chain's survivor re-sent ≈ 7,000, docs/benchmarks.md "A survivor counts what
 * its peers told").
 *
 * The adapter decodes a peer's message only when this node has a socket in its room, then delivers
 * it at once; its own messages come back too, and are left to `toStore`, which told them first.
 * Anything of another shape, with sockets excepted, or for another room is not counted: it is
 * re-sent, as before. The node's own broadcasts, which the adapter decodes whole only to drop
 * them, are recognised by their first bytes and not decoded at all.
 */
export function countingPeerDeliveries<N extends { name: string }, A extends ObservableAdapter>(
  factory: (nsp: N) => A,
  toldHere: ToldHere,
): (nsp: N) => A {
  // A function, not an arrow: socket.io calls the factory with `new` (the object it returns is
  // the adapter).
  return function countingAdapter(nsp: N): A {
    const adapter = factory(nsp);
    if (nsp.name !== TERMINAL_NAMESPACE) return adapter;
    const base = adapter.parser;
    const note = (decoded: unknown) => {
      if (!Array.isArray(decoded) || decoded.length < 3) return; // a request, not a broadcast
      const [uid, packet, options] = decoded as [unknown, unknown, unknown];
      if (uid === adapter.uid || !isRecord(packet) || !isRecord(options)) return;
      if (packet.nsp !== TERMINAL_NAMESPACE || !Array.isArray(packet.data)) return;
      const [event, payload] = packet.data as [unknown, unknown];
      if (event !== SocketEvents.alertNew && event !== SocketEvents.alertUpdated) return;
      if (!isRecord(payload) || typeof payload.storeId !== 'string') return;
      if (typeof payload.alertId !== 'string' || typeof payload.status !== 'string') return;
      if (event === SocketEvents.alertNew && typeof payload.at !== 'string') return;
      const except = options.except;
      if (Array.isArray(except) && except.length > 0) return;
      const rooms = options.rooms;
      if (!Array.isArray(rooms) || !rooms.includes(storeRoom(payload.storeId))) return;
      toldHere.told(payload as unknown as ArrivalAlert | AlertUpdate);
    };
    const echo = ownBroadcastPrefix(base, adapter.uid);
    const parser: PeerParser = {
      encode: (message) => base.encode(message),
      decode: (message) => {
        // The node's own broadcasts come back through Redis; the adapter decodes each whole before
        // it reads the sender's id and drops it. Its id alone is enough for that.
        if (echo && Buffer.isBuffer(message) && startsWith(message, echo)) return [adapter.uid];
        const decoded = base.decode(message);
        try {
          note(decoded);
        } catch {
          // Counting is an optimisation: whatever it could not read is re-sent after a death.
        }
        return decoded;
      },
    };
    // The adapter reads `parser` on every message (a property it set from its options).
    Object.defineProperty(adapter, 'parser', { value: parser });
    return adapter;
  };
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;

/**
 * The first bytes of this node's broadcasts in the adapter's MessagePack: a 3-element array
 * (`0x93`: [uid, packet, options]) whose first element is the node's id as a short string
 * (`0xa0`–`0xbf`). Null when the parser does not encode the id so (another parser): then every
 * message is decoded, as the adapter does.
 */
function ownBroadcastPrefix(parser: PeerParser, uid: unknown): Buffer | null {
  if (typeof uid !== 'string') return null;
  const id = parser.encode(uid);
  if (!Buffer.isBuffer(id) || id.length < 2 || (id[0]! & 0xe0) !== 0xa0) return null;
  return Buffer.concat([Buffer.from([0x93]), id]);
}

const startsWith = (message: Buffer, prefix: Buffer) =>
  message.length > prefix.length &&
  message.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
