import { io, type Socket } from 'socket.io-client';
import { z } from 'zod';
import {
  alertsResponse,
  API_PREFIX,
  batchResponse,
  claimAck,
  errorBody,
  feedPage,
  feedRejectsResponse,
  pinChangeResponse,
  registrationResponse,
  signInResponse,
  TERMINAL_NAMESPACE,
  type HubToTerminalEvents,
  type TerminalToHubEvents,
} from '../../shared/protocol';
import { err, ok } from '../../shared/result';
import type { SecretStore } from '../data/secret-store';
import { backoffDelay, type BackoffOptions } from './backoff';
import { checkCustomerItems, checkProductItems, checkStaffItems } from './feed-items';
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
};

// The envelope (cursor, hasMore, total) is validated as a whole; the rows one by one, so a row
// that fails is set aside and the rest of the page still applies (feed-items.ts).
const customersPage = feedPage(z.unknown()).transform((page) => ({
  ...page,
  ...checkCustomerItems(page.items),
}));
const catalogPage = feedPage(z.unknown()).transform((page) => ({
  ...page,
  ...checkProductItems(page.items),
}));
const staffList = z
  .object({ items: z.array(z.unknown()) })
  .transform((list) => checkStaffItems(list.items));

/**
 * The real hub client: REST over `fetch`, live events over socket.io-client on `/terminal`
 * (websocket transport only, handshake `auth: {token}`). Every answer is validated with the shared
 * schemas; failures come back as results, never throws.
 */
export function createHttpHubClient(options: HttpHubClientOptions): HubClient {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const reconnect = options.reconnect ?? { baseMs: 1_000, maxMs: 30_000 };
  const doFetch =
    options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));

  async function request<S extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    schema: S,
    body?: unknown,
    requestTimeoutMs = timeoutMs,
  ): Promise<HubResult<z.infer<S>>> {
    const token = await options.secrets.getToken();
    if (!token) return err({ code: 'unauthorized', message: 'no terminal token' });
    let response: Response;
    try {
      response = await doFetch(`${options.baseUrl}${API_PREFIX}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
    } catch (error) {
      return err({
        code: 'network',
        message: error instanceof Error ? error.message : String(error),
      });
    }
    let json: unknown;
    try {
      const text = await response.text();
      json = text ? JSON.parse(text) : undefined;
    } catch (error) {
      // A body cut off mid-transfer (hub killed) is a network failure, not a bad answer.
      if (response.ok)
        return err({
          code: 'network',
          message: error instanceof Error ? error.message : 'bad body',
        });
      json = undefined;
    }
    const parsedError = response.ok ? null : errorBody.safeParse(json);
    const hubError = parsedError?.success ? parsedError.data.error : null;
    // A wrong PIN is a 401 about the guide, not the terminal: it must not read as a revocation.
    if (response.status === 401 && hubError?.code !== 'wrong_pin')
      return err({ code: 'unauthorized', message: 'the hub refused this terminal', status: 401 });
    if (!response.ok) {
      const message = hubError ? hubError.message : `HTTP ${response.status}`;
      // 503 is the hub saying its database is down for now (502/504: a proxy saying the hub is):
      // an outage like being offline — the outbox keeps its entries and the engine retries.
      const outage = response.status >= 502 && response.status <= 504;
      return err({
        // 429 (rate limited) is temporary like a 5xx: keep the outbox and retry with backoff.
        code: outage
          ? 'network'
          : response.status >= 500 || response.status === 429
            ? 'server'
            : 'rejected',
        message,
        status: response.status,
        ...(hubError
          ? {
              reason: hubError.code,
              ...(hubError.details === undefined ? {} : { details: hubError.details }),
            }
          : {}),
      });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      return err({
        code: 'invalid_response',
        message: parsed.error.message,
        status: response.status,
      });
    return ok(parsed.data);
  }

  const feedPath = (feed: string, after: string, limit: number, withTotal = true) =>
    `/sync/${feed}?after=${encodeURIComponent(after)}&limit=${limit}&withTotal=${withTotal}`;

  return {
    pullCustomers: (after, limit, withTotal) =>
      request('GET', feedPath('customers', after, limit, withTotal), customersPage),
    pullCatalog: (after, limit, withTotal) =>
      request('GET', feedPath('catalog', after, limit, withTotal), catalogPage),
    pullStaff: () => request('GET', '/sync/staff', staffList),
    alertsSince: async (since) => {
      const result = await request(
        'GET',
        `/alerts?since=${encodeURIComponent(since)}`,
        alertsResponse,
      );
      return result.ok ? ok(result.value.items) : result;
    },
    postOrders: async (orders) => {
      const result = await request('POST', '/orders', batchResponse, { orders });
      return result.ok ? ok(result.value.results) : result;
    },
    registerCustomer: (registration) =>
      request('POST', '/customers', registrationResponse, registration),
    postAudit: async (entries) => {
      const result = await request('POST', '/audit', batchResponse, { entries });
      return result.ok ? ok(result.value.results) : result;
    },
    // A sign-in waits at most 10 s for the hub: past that the terminal checks the PIN itself.
    signIn: (guideId, pin) =>
      request('POST', '/staff/sign-in', signInResponse, { guideId, pin }, SIGN_IN_TIMEOUT_MS),
    changePin: (change) =>
      request('POST', '/staff/pin', pinChangeResponse, change, SIGN_IN_TIMEOUT_MS),
    reportFeedRejects: async (rejects) => {
      const result = await request('POST', '/sync/rejects', feedRejectsResponse, { rejects });
      return result.ok ? ok(result.value.recorded) : result;
    },
    reportStatus: async (report) => {
      // 204, no body
      const result = await request('POST', '/terminal/status', z.undefined(), report);
      return result.ok ? ok(undefined) : result;
    },
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
