import { gunzipSync } from 'node:zlib';
import { createApiClient, type ApiClient, type ApiResult } from '../../shared/api-client';
import {
  errorBody,
  PACKED_JSON,
  type EndpointDef,
  type EndpointInput,
  type EndpointResponse,
  type ErrorBody,
} from '../../shared/protocol';
import { TEST_ADMIN_KEY, TEST_INTEGRATION_KEY, type HubProcess } from './hub-process';

/** Credentials for the typed client: `token` for terminal routes; the test hub's keys by default. */
export type HubAuth = { token?: string; integrationKey?: string; adminKey?: string };

/**
 * The hub's typed client (shared/api-client.ts) for tests and benchmarks: paths from the endpoint
 * table, every answer validated. `token` for terminal routes; head office's and IT's keys default
 * to the test hub's. Tests that assert a status use `callRoute` (below); only hostile input and
 * credential probes use `rawCall` (./http.ts).
 */
export function hubApi(
  hub: Pick<HubProcess, 'url'>,
  auth: HubAuth = {},
  fetchImpl?: typeof globalThis.fetch,
): ApiClient {
  return createApiClient({
    baseUrl: hub.url,
    credentials: {
      terminal: () => auth.token,
      integration: () => auth.integrationKey ?? TEST_INTEGRATION_KEY,
      admin: () => auth.adminKey ?? TEST_ADMIN_KEY,
    },
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
}

/** The answer's value; a failure throws with the hub's code and message (setup code, not tests). */
export async function must<T>(result: Promise<ApiResult<T>>, what = 'hub call'): Promise<T> {
  const settled = await result;
  if (settled.ok) return settled.value;
  const { code, status, reason, message } = settled.error;
  throw new Error(`${what} failed: ${code} ${status ?? ''} ${reason ?? ''} ${message}`);
}

/** What `callRoute` gives a test: the HTTP status with the body, as the hub sent them. */
export type RouteReply<T> = {
  status: number;
  /**
   * 2xx: the answer exactly as the hub sent it, after the typed client checked it against the
   * route's schema (a 2xx the schema refuses throws). Any other status: the hub's JSON as is.
   */
  body: T;
  /** a non-2xx answer's `{code, message, details}` (undefined on 2xx or a body that is not one) */
  error: ErrorBody['error'] | undefined;
};

/** A route's input, with the query's defaulted fields optional (a test may rely on the default). */
export type RouteInput<E extends EndpointDef> = Omit<EndpointInput<E>, 'query'> &
  (E['query'] extends object ? { query?: Partial<EndpointInput<E>['query']> } : unknown);

/**
 * One call of a route through the typed client (path, method and credential from the endpoint
 * table, the answer validated), for tests that assert the status too (201, 202, 204, a 4xx) or the
 * hub's error code. A network failure throws; so does a 2xx answer the route's schema refuses.
 */
export async function callRoute<E extends EndpointDef>(
  hub: Pick<HubProcess, 'url'>,
  endpoint: E,
  input: RouteInput<E>,
  auth: HubAuth = {},
): Promise<RouteReply<EndpointResponse<E>>> {
  let seen: { status: number; text: string } | undefined;
  const recording: typeof globalThis.fetch = async (...args) => {
    const response = await globalThis.fetch(...args);
    const copy = response.clone();
    // A packed answer (the customer feed's pages) is read as the JSON it holds.
    const packed = copy.headers.get('content-type') === PACKED_JSON;
    const text = packed
      ? gunzipSync(Buffer.from(await copy.arrayBuffer())).toString('utf8')
      : await copy.text();
    seen = { status: response.status, text };
    return response;
  };
  const client = hubApi(hub, auth, recording);
  const result = await client.call(endpoint, ...([input] as unknown as [EndpointInput<E>]));
  if (!seen)
    throw new Error(`${endpoint.method} ${endpoint.path}: nothing sent (${describe(result)})`);
  if (!result.ok && result.error.code === 'invalid_response')
    throw new Error(`${endpoint.method} ${endpoint.path}: ${describe(result)}`);
  const json: unknown = seen.text ? JSON.parse(seen.text) : undefined;
  const parsedError = result.ok ? undefined : errorBody.safeParse(json);
  return {
    status: seen.status,
    body: json as EndpointResponse<E>,
    error: parsedError?.success ? parsedError.data.error : undefined,
  };
}

function describe(result: ApiResult<unknown>): string {
  return result.ok
    ? 'ok'
    : `${result.error.code} ${result.error.status ?? ''} ${result.error.message}`;
}
