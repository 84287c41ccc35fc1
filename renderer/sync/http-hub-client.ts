import { io, type Socket } from 'socket.io-client';
import { createApiClient } from '../../shared/api-client';
import {
  claimAck,
  endpoints,
  TERMINAL_NAMESPACE,
  type HubToTerminalEvents,
  type TerminalToHubEvents,
} from '../../shared/protocol';
import { err, ok } from '../../shared/result';
import type { SecretStore } from '../data/secret-store';
import { backoffDelay, type BackoffOptions } from './backoff';
import {
  checkCustomerItems,
  checkFollowUpItems,
  checkProductItems,
  checkStaffItems,
} from './feed-items';
import { customerPagesInWorker, type PageWorkerPort } from './page-prep-client';
import type { Keyring } from '../data/held-pages';
import type { HubClient, HubResult, LiveConnection, LiveEvents } from './hub-client';

export type HttpHubClientOptions = {
  /** e.g. `http://127.0.0.1:4600` */
  baseUrl: string;
  secrets: SecretStore;
  /** per-request timeout; a timed-out order batch is simply resent (ids deduplicate) */
  timeoutMs?: number;
  /** socket reconnect backoff (socket.io's own exponential backoff with jitter) */
  reconnect?: BackoffOptions;
  fetch?: typeof globalThis.fetch;
  /**
   * The customer page worker (page-worker.ts): pages are fetched, validated, packed and sealed
   * there, under the keyring's keys (page-prep-client.ts); the engine only plans and writes them.
   */
  customerPageWorker?: {
    createWorker: () => PageWorkerPort;
    keyring: Promise<Keyring>;
    /** how many page workers (default 1) */
    workers?: number;
  };
};

// Feed answers: the envelope (cursor, hasMore, total) is validated by the endpoint's schema, the
// rows one by one here, so a row that fails is set aside and the rest of the page still applies
// (feed-items.ts).

/**
 * The real hub client: REST over `fetch`, live events over socket.io-client on `/terminal`
 * (websocket transport only, handshake `auth: {token}`). Every answer is validated with the shared
 * schemas; failures come back as results, never throws.
 */
export function createHttpHubClient(options: HttpHubClientOptions): HubClient {
  const reconnect = options.reconnect ?? { baseMs: 1_000, maxMs: 30_000 };
  const api = createApiClient({
    baseUrl: options.baseUrl,
    credentials: { terminal: () => options.secrets.getToken() },
    timeoutMs: options.timeoutMs ?? 30_000,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  /** The answer's value through `pick`, or the error as it came. */
  const mapOk = async <T, U>(result: Promise<HubResult<T>>, pick: (value: T) => U) => {
    const settled = await result;
    return settled.ok ? ok(pick(settled.value)) : settled;
  };
  const feed = (after: string, limit: number, withTotal = true) => ({
    query: { after, limit, withTotal },
  });

  const pullCustomers: HubClient['pullCustomers'] = (after, limit, withTotal) =>
    mapOk(api.call(endpoints.syncCustomers, feed(after, limit, withTotal)), (page) => ({
      ...page,
      ...checkCustomerItems(page.items),
    }));

  const pageWorker = options.customerPageWorker;
  return {
    ...(pageWorker
      ? {
          pullCustomerPages: customerPagesInWorker({
            ...pageWorker,
            baseUrl: options.baseUrl,
            secrets: options.secrets,
            timeoutMs: options.timeoutMs ?? 30_000,
          }),
        }
      : {}),
    pullCustomers,
    pullCatalog: (after, limit, withTotal) =>
      mapOk(api.call(endpoints.syncCatalog, feed(after, limit, withTotal)), (page) => ({
        ...page,
        ...checkProductItems(page.items),
      })),
    pullStaff: () => mapOk(api.call(endpoints.syncStaff), (list) => checkStaffItems(list.items)),
    pullFollowUps: (after, limit, withTotal) =>
      mapOk(api.call(endpoints.syncFollowUps, feed(after, limit, withTotal)), (page) => ({
        ...page,
        ...checkFollowUpItems(page.items),
      })),
    postVisitOutcomes: (outcomes) =>
      mapOk(api.call(endpoints.postVisitOutcomes, { body: { outcomes } }), (a) => a.results),
    postFollowUpOutcomes: (outcomes) =>
      mapOk(api.call(endpoints.postFollowUpOutcomes, { body: { outcomes } }), (a) => a.results),
    postConsents: (changes) =>
      mapOk(api.call(endpoints.postConsents, { body: { changes } }), (a) => a.results),
    postProfileEdits: (edits) =>
      mapOk(api.call(endpoints.postProfileEdits, { body: { edits } }), (a) => a.results),
    outreachSettings: () =>
      mapOk(api.call(endpoints.terminalInfo), (info) => ({
        miniStoreUrlPattern: info.settings.miniStoreUrlPattern ?? null,
      })),
    alertsSince: (since) =>
      mapOk(api.call(endpoints.alerts, { query: { since } }), (answer) => answer.items),
    postOrders: (orders) =>
      mapOk(api.call(endpoints.postOrders, { body: { orders } }), (answer) => answer.results),
    registerCustomer: (registration) =>
      api.call(endpoints.registerCustomer, { body: registration }),
    postReturns: (returns) =>
      mapOk(api.call(endpoints.postReturns, { body: { returns } }), (answer) => answer.results),
    storeOrders: (query) => api.call(endpoints.storeOrders, { query }),
    storeOrder: (orderId) => api.call(endpoints.storeOrder, { params: { orderId } }),
    postAudit: (entries) =>
      mapOk(api.call(endpoints.postAudit, { body: { entries } }), (answer) => answer.results),
    // A sign-in waits at most 10 s for the hub: past that the terminal checks the PIN itself.
    signIn: (guideId, pin) =>
      api.call(endpoints.signIn, { body: { guideId, pin } }, { timeoutMs: SIGN_IN_TIMEOUT_MS }),
    changePin: (change) =>
      api.call(endpoints.changePin, { body: change }, { timeoutMs: SIGN_IN_TIMEOUT_MS }),
    transferBinding: (customerId, request) =>
      api.call(
        endpoints.transferBinding,
        { params: { id: customerId }, body: request },
        { timeoutMs: SIGN_IN_TIMEOUT_MS },
      ),
    reportFeedRejects: (rejects) =>
      mapOk(api.call(endpoints.syncRejects, { body: { rejects } }), (answer) => answer.recorded),
    reportStatus: (report) => api.call(endpoints.terminalStatus, { body: report }),
    otherStoresStock: (sku, limit) =>
      api.call(endpoints.otherStoresStock, { body: { sku, limit } }),
    searchCustomers: (query) => api.call(endpoints.searchCustomers, { body: query }),
    connectLive: (events) => connectLive(options, reconnect, events),
  };
}

const SIGN_IN_TIMEOUT_MS = 10_000;

type TerminalSocket = Socket<HubToTerminalEvents, TerminalToHubEvents>;

function connectLive(
  options: HttpHubClientOptions,
  reconnect: BackoffOptions,
  events: LiveEvents,
): LiveConnection {
  let closed = false;
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const socket: TerminalSocket = io(`${options.baseUrl}${TERMINAL_NAMESPACE}`, {
    transports: ['websocket'],
    // Read the token on every (re)connect: it lives in the platform secret store.
    auth: (cb) => {
      void options.secrets.getToken().then((token) => cb({ token: token ?? '' }));
    },
    reconnectionDelay: reconnect.baseMs,
    reconnectionDelayMax: reconnect.maxMs,
    randomizationFactor: 0.5,
  });

  // socket.io retries transport failures by itself; after a refusal by the hub's middleware or a
  // server-side disconnect it does not, so those reconnects are scheduled here, with jitter.
  const retryLater = () => {
    if (closed || timer) return;
    timer = setTimeout(
      () => {
        timer = null;
        if (!closed && !socket.connected) socket.connect();
      },
      backoffDelay(failures++, reconnect),
    );
  };

  socket.on('connect', () => {
    failures = 0;
    events.connected();
  });
  socket.on('disconnect', (reason) => {
    events.disconnected(reason);
    if (reason === 'io server disconnect') retryLater();
  });
  socket.on('connect_error', (error) => {
    if (error.message === 'unauthorized') {
      events.revoked('the hub refused this terminal');
      return;
    }
    if (!socket.active) retryLater();
  });
  socket.on('alert:new', (payload) => events.alertNew(payload));
  socket.on('alert:updated', (payload) => events.alertUpdated(payload));
  socket.on('customers:changed', (payload) => events.customersChanged(payload));
  socket.on('catalog:changed', (payload) => events.catalogChanged(payload));
  socket.on('followups:changed', (payload) => events.followUpsChanged(payload));
  socket.on('staff:changed', () => events.staffChanged());
  socket.on('sync:resync', (payload) => events.resync(payload));
  socket.on('terminal:revoked', (payload) => events.revoked(payload.reason));

  return {
    async claimAlert(request) {
      if (!socket.connected) return err({ code: 'network', message: 'offline' });
      try {
        const answer: unknown = await socket.timeout(10_000).emitWithAck('alert:claim', request);
        const parsed = claimAck.safeParse(answer);
        return parsed.success
          ? ok(parsed.data)
          : err({ code: 'invalid_response', message: parsed.error.message });
      } catch (error) {
        return err({
          code: 'network',
          message: error instanceof Error ? error.message : 'timeout',
        });
      }
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      socket.disconnect();
    },
  };
}
