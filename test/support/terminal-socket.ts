import { io, type Socket } from 'socket.io-client';
import type { HubToTerminalEvents, TerminalToHubEvents } from '../../shared/protocol';
import type { HubProcess } from './hub-process';

/** A test terminal's socket.io client on the hub's `/terminal` namespace. */
export type TerminalClient = Socket<HubToTerminalEvents, TerminalToHubEvents>;

type Received = { event: string; payload: unknown };
/** Every event each socket has received, in order (so a test can wait for one that came early). */
const inbox = new WeakMap<TerminalClient, Received[]>();

/**
 * Opens a terminal socket as the app does (websocket only, handshake `auth: {token}`), without
 * reconnection so a test sees every disconnect, and records everything it receives.
 */
export function openTerminalSocket(hub: Pick<HubProcess, 'url'>, token: string): TerminalClient {
  const socket: TerminalClient = io(`${hub.url}/terminal`, {
    auth: { token },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  });
  const log: Received[] = [];
  inbox.set(socket, log);
  socket.onAny((event: string, payload: unknown) => log.push({ event, payload }));
  return socket;
}

/** Resolves once connected, or rejects with the handshake error (e.g. "unauthorized"). */
export function connected(socket: TerminalClient): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.connected) return resolve();
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
}

/** A connected terminal socket (rejects when the hub refuses the handshake). */
export async function connectTerminal(
  hub: Pick<HubProcess, 'url'>,
  token: string,
): Promise<TerminalClient> {
  const socket = openTerminalSocket(hub, token);
  await connected(socket);
  return socket;
}

/**
 * Waits (event-driven, no sleeps; the test timeout bounds it) until the socket has received a
 * matching event, also one that arrived before the call. Rejects if the socket disconnects first.
 */
export function received<T>(
  socket: TerminalClient,
  event: string,
  match: (payload: T) => boolean = () => true,
): Promise<T> {
  const log = inbox.get(socket);
  if (!log) throw new Error('not a socket from openTerminalSocket');
  return new Promise((resolve, reject) => {
    const check = () => {
      const hit = log.find((r) => r.event === event && match(r.payload as T));
      if (hit) {
        clearInterval(poll);
        resolve(hit.payload as T);
      }
    };
    // Checking the inbox on an interval keeps arrival order irrelevant.
    const poll = setInterval(check, 10);
    check();
    socket.once('disconnect', () => {
      check();
      clearInterval(poll);
      reject(new Error(`socket disconnected before ${event}`));
    });
  });
}

/** Every payload of one event the socket has received so far. */
export const eventsOf = <T>(socket: TerminalClient, event: string): T[] =>
  (inbox.get(socket) ?? []).filter((r) => r.event === event).map((r) => r.payload as T);

/**
 * The next matching event from now on (earlier ones do not count), or a rejection after
 * `timeoutMs`.
 */
export function nextEvent<T>(
  socket: TerminalClient,
  event: string,
  match: (payload: T) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const listener = (name: string, payload: unknown) => {
      if (name !== event || !match(payload as T)) return;
      clearTimeout(timer);
      socket.offAny(listener);
      resolve(payload as T);
    };
    const timer = setTimeout(() => {
      socket.offAny(listener);
      reject(new Error(`no ${event} within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    socket.onAny(listener);
  });
}
