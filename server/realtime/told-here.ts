import type { AlertUpdate, ArrivalAlert } from '../../shared/protocol';

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
