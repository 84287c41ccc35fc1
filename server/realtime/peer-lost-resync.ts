import type { FastifyBaseLogger } from 'fastify';
import { SocketEvents, type ArrivalAlert } from '../../shared/protocol';
import { blindWindowAfterSilence, type PeerLoss } from './peer-watch';
import type { TerminalNamespace } from './realtime';
import { storeRoom } from './rooms';
import type { ToldHere } from './told-here';

/**
 * After a peer's death the alerts it may not have published are re-sent once they are read; a
 * read slower than this (a database in trouble) gives way to the terminals' full catch-up.
 */
const PEER_LOST_ALERTS_WAIT_MS = 5_000;
/**
 * A survivor re-sends a lost peer's alerts this many at a time, yielding to the event loop in
 * between: live alerts and the dead node's reconnecting terminals go on meanwhile (one burst of
 * ≈ 20,000 emits held the survivor's live alerts up to 5 s in bench:chain).
 */
const PEER_LOST_RESEND_CHUNK = 200;

/**
 * What a surviving node does when a peer died silently (peer-watch.ts): the peer may have emitted
 * alerts only to its own sockets. The survivor re-sends its own sockets' stores the alerts raised
 * or changed in the dead node's blind window (one read per node, not a 35-minute catch-up per
 * terminal: bench:chain's 6,000 terminals asking at once slowed the survivor just as the dead
 * node's terminals moved to it) — leaving out those whose state it told its sockets itself
 * (told-here.ts) — then tells them to pull their feeds. Local only: each survivor does this for
 * its own sockets, so nothing crosses the adapter. Should the read fail or lag, the full catch-up.
 */
export function createPeerLostResync(options: {
  terminals: TerminalNamespace;
  log: FastifyBaseLogger;
  /** the alerts of these stores raised or changed within the last `windowMs` */
  peerLostAlerts:
    ((storeIds: readonly string[], windowMs: number) => Promise<ArrivalAlert[]>) | undefined;
  toldHere: ToldHere | null;
  /** terminals spread their own pulls over this window */
  spreadMs: number;
}): (loss: PeerLoss) => Promise<void> {
  const { terminals, log, spreadMs } = options;
  const fullCatchUp = () => {
    terminals.local.emit(SocketEvents.syncResync, { reason: 'peer_lost', spreadMs });
  };
  return async (loss) => {
    const load = options.peerLostAlerts;
    const stores = [
      ...new Set([...terminals.sockets.values()].map((s) => s.data.terminal.storeId)),
    ];
    if (!load || stores.length === 0) return fullCatchUp();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), PEER_LOST_ALERTS_WAIT_MS);
    });
    try {
      // Back from now over the peer's silence as this node measured it (a late tick: longer).
      const alerts = await Promise.race([
        load(stores, blindWindowAfterSilence(loss.silentMs)),
        late,
      ]);
      if (alerts === null) {
        log.warn(
          { stores: stores.length, waitedMs: PEER_LOST_ALERTS_WAIT_MS },
          'alerts of a lost peer not read in time: this node’s terminals run their full catch-up',
        );
        return fullCatchUp();
      }
      // Only what this node did not itself tell its sockets as it stands, a chunk at a time.
      // Before the resync, on the same sockets: a terminal has them stored when it hears it.
      const resend = alerts.filter((alert) => !options.toldHere?.toldAsIs(alert));
      for (let i = 0; i < resend.length; i += PEER_LOST_RESEND_CHUNK) {
        if (i > 0) await new Promise((resolve) => setImmediate(resolve));
        for (const alert of resend.slice(i, i + PEER_LOST_RESEND_CHUNK))
          terminals.local.to(storeRoom(alert.storeId)).emit(SocketEvents.alertNew, alert);
      }
      terminals.local.emit(SocketEvents.syncResync, {
        reason: 'peer_lost',
        spreadMs,
        alerts: false,
      });
      log.info(
        {
          stores: stores.length,
          alertsResent: resend.length,
          alertsToldHere: alerts.length - resend.length,
        },
        'alerts a lost peer may not have published re-sent to this node’s terminals',
      );
    } catch (error) {
      log.warn(
        { err: error },
        'alerts of a lost peer not read: this node’s terminals run their full catch-up',
      );
      fullCatchUp();
    } finally {
      clearTimeout(timer);
    }
  };
}
