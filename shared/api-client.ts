import {
  API_PREFIX,
  endpointPath,
  errorBody,
  PACKED_JSON,
  queryString,
  type EndpointAuth,
  type EndpointDef,
  type EndpointInput,
  type EndpointResponse,
  type ErrorCode,
} from './protocol';
import { err, ok, type Result } from './result';

/**
 * The one client of the hub's REST contract (`shared/protocol/endpoints.ts`), for the terminal,
 * the admin CLI's `--url` mode, the benchmarks and the tests. It builds the URL from the endpoint
 * table, sends the caller's credential for the route's kind, validates every 2xx answer with the
 * route's schema, and answers a result — never a throw — in one error vocabulary:
 *
 * - `unauthorized`: the hub refused the credential (a revoked terminal, a rotated key);
 * - `rejected`: the hub understood and refused the request (4xx): retrying will not help;
 * - `network`: the hub could not be reached or is down for now (also 502–504: a proxy says so);
 * - `server`: the hub failed (5xx) or is throttling (429): try again later;
 * - `invalid_response`: the hub answered something the shared schemas do not accept.
 */
export type ApiErrorCode = 'unauthorized' | 'rejected' | 'network' | 'server' | 'invalid_response';
export type ApiError = {
  code: ApiErrorCode;
  message: string;
  status?: number;
  /** the hub's own error code and details, when it answered with an error body */
  reason?: ErrorCode;
  details?: unknown;
};
export type ApiResult<T> = Result<T, ApiError>;

type Secret = string | null | undefined;
/** The caller's credential per kind, read on every call (a token may be replaced meanwhile). */
export type ApiCredentials = Partial<Record<EndpointAuth, () => Secret | Promise<Secret>>>;

export type ApiClientOptions = {
  /** the hub's origin, e.g. `http://127.0.0.1:4600` */
  baseUrl: string;
  credentials: ApiCredentials;
  /** per-request timeout (default 30 s) */
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
};

export type CallOptions = { timeoutMs?: number };

/** Routes without parameters, query or body take no input. */
type CallArgs<E extends EndpointDef> =
  Record<string, never> extends EndpointInput<E>
    ? [input?: EndpointInput<E>, options?: CallOptions]
    : [input: EndpointInput<E>, options?: CallOptions];

export type ApiClient = {
  call<E extends EndpointDef>(
    endpoint: E,
    ...args: CallArgs<E>
  ): Promise<ApiResult<EndpointResponse<E>>>;
};

const HEADER: Record<EndpointAuth, (secret: string) => [string, string]> = {
  terminal: (secret) => ['authorization', `Bearer ${secret}`],
  integration: (secret) => ['x-integration-key', secret],
  admin: (secret) => ['x-admin-key', secret],
};

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
/** Decodes JSON answers (UTF-8; a BOM, which JSON never has, is dropped as `text()` drops it). */
const UTF8 = new TextDecoder();

export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const doFetch =
    options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));

  async function call<E extends EndpointDef>(
    endpoint: E,
    input?: EndpointInput<E>,
    callOptions: CallOptions = {},
  ): Promise<ApiResult<EndpointResponse<E>>> {
    const secret = await options.credentials[endpoint.auth]?.();
    if (!secret) return err({ code: 'unauthorized', message: `no ${endpoint.auth} credential` });
    let url: string;
    try {
      const query = input?.query as Record<string, unknown> | undefined;
      const params = input?.params as Record<string, string> | undefined;
      url = `${baseUrl}${API_PREFIX}${endpointPath(endpoint, params)}${queryString(query)}`;
    } catch (error) {
      return err({ code: 'rejected', message: message(error) });
    }
    const body = input?.body;
    const [header, value] = HEADER[endpoint.auth](secret);
    let response: Response;
    try {
      response = await doFetch(url, {
        method: endpoint.method,
        headers: {
          [header]: value,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(endpoint.packed && canInflate ? { accept: ACCEPT_PACKED } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(callOptions.timeoutMs ?? options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      return err({ code: 'network', message: message(error) });
    }
    let json: unknown;
    try {
      if (endpoint.answer === 'csv' && response.ok) {
        // A CSV answer is handed over as its text, byte for byte: `text()` would drop the BOM
        // that makes Excel read it as UTF-8. Its errors are JSON like every other route's.
        json = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await response.arrayBuffer());
      } else if (response.ok && isPacked(response)) {
        json = JSON.parse(await gunzipText(await response.arrayBuffer()));
      } else {
        // `arrayBuffer()` + one `TextDecoder` pass: Chromium's `text()` decodes as a stream and
        // took ≈ 8 ms more per 1.3 MB feed page (bench:terminal, docs/benchmarks.md).
        const text = UTF8.decode(await response.arrayBuffer());
        json = text ? JSON.parse(text) : undefined;
      }
    } catch (error) {
      // A body cut off mid-transfer (hub killed) is a network failure, not a bad answer.
      if (response.ok)
        return err({ code: 'network', message: message(error), status: response.status });
      json = undefined;
    }
    if (!response.ok) return err(failure(response.status, json));
    const parsed = endpoint.response.safeParse(json);
    if (!parsed.success)
      return err({
        code: 'invalid_response',
        message: parsed.error.message,
        status: response.status,
      });
    return ok(parsed.data as EndpointResponse<E>);
  }

  return { call: call as ApiClient['call'] };
}

/** Whether this runtime can unpack a `packed` answer (Chromium, Node 18+). */
const canInflate = typeof DecompressionStream === 'function';
/** Asks for the packed answer first; plain JSON still does (an older hub, a proxy). */
const ACCEPT_PACKED = `${PACKED_JSON}, application/json;q=0.9`;

const isPacked = (response: Response) =>
  (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase() === PACKED_JSON;

/**
 * A packed answer's JSON text. Written to the stream and read back directly (through a `Blob` or
 * a `Response` the inflate cost Chromium ≈ 40 ms a feed page against ≈ 12–16 ms), and each piece
 * decoded as it comes, the text joined, rather than the bytes gathered into one buffer and decoded
 * at once: 33–42 against 54–80 ms a page of 2,000 profiles in Chromium, one copy of the page less
 * to allocate (docs/benchmarks.md, "Feed pages packed, in ASCII"). A corrupt or cut stream rejects.
 */
async function gunzipText(bytes: ArrayBuffer): Promise<string> {
  const stream = new DecompressionStream('gzip');
  const writer = stream.writable.getWriter();
  const written = writer.write(new Uint8Array(bytes)).then(() => writer.close());
  // The writer's promises reject with the reader's error: read that one, not an unhandled twin.
  written.catch(() => undefined);
  const reader = stream.readable.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await written;
  return text + decoder.decode();
}

/** A non-2xx answer in the client's vocabulary, with the hub's own code and details when given. */
function failure(status: number, json: unknown): ApiError {
  const parsed = errorBody.safeParse(json);
  const hubError = parsed.success ? parsed.data.error : null;
  // A wrong PIN is a 401 about the guide, not the credential: it must not read as a revocation.
  if (status === 401 && hubError?.code !== 'wrong_pin')
    return { code: 'unauthorized', message: 'the hub refused this credential', status };
  // 503 is the hub saying its database is down for now (502/504: a proxy saying the hub is): an
  // outage like being offline. 429 (rate limited) is temporary like a 5xx: retry with backoff.
  const code: ApiErrorCode =
    status >= 502 && status <= 504
      ? 'network'
      : status >= 500 || status === 429
        ? 'server'
        : 'rejected';
  return {
    code,
    message: hubError ? hubError.message : `HTTP ${status}`,
    status,
    ...(hubError
      ? {
          reason: hubError.code,
          ...(hubError.details === undefined ? {} : { details: hubError.details }),
        }
      : {}),
  };
}
