import type { z } from 'zod';
import { adminEndpoints } from './endpoints-admin';
import type { EndpointDef } from './endpoint-def';
import { integrationEndpoints } from './endpoints-integration';
import { terminalEndpoints } from './endpoints-terminal';

export type { EndpointAuth, EndpointDef } from './endpoint-def';
export { PACKED_JSON } from './endpoint-def';

/**
 * The hub's REST contract, one entry per route: method, path (`:name` for path parameters), who
 * may call it, and the zod schemas of its path parameters, query, body and answer. The hub
 * registers its routes from this table (`server/http/endpoint.ts`) and every client — the
 * terminal's sync engine, the admin CLI's `--url` mode, the benchmarks and the tests — calls
 * through `shared/api-client.ts`, which builds the URL from it and validates each answer. A
 * route's path is written in this table and nowhere else.
 *
 * The entries are kept per caller — `endpoints-terminal.ts` (bearer token), `endpoints-integration.ts`
 * (head office's key), `endpoints-admin.ts` (IT's key) — and read through this one object.
 */
export const endpoints = {
  ...terminalEndpoints,
  ...integrationEndpoints,
  ...adminEndpoints,
} as const satisfies Record<string, EndpointDef>;

export type Endpoints = typeof endpoints;
export type EndpointName = keyof Endpoints;

type Input<S> = S extends z.ZodType ? z.input<S> : undefined;
/** What a caller passes: path parameters, query and body, each only when the route has one. */
export type EndpointInput<E extends EndpointDef> = (E['params'] extends z.ZodType
  ? { params: Input<E['params']> }
  : { params?: undefined }) &
  // A query travels as strings: the caller gives the values the route reads, each sent as
  // `String(value)`, which the route's schema reads back (`withTotal=false` → false).
  (E['query'] extends z.ZodType ? { query: z.output<E['query']> } : { query?: undefined }) &
  (E['body'] extends z.ZodType ? { body: Input<E['body']> } : { body?: undefined });
/** What a route answers (after validation). */
export type EndpointResponse<E extends EndpointDef> = z.infer<E['response']>;

/** The path with its parameters filled in (each URI-encoded). */
export function endpointPath(definition: EndpointDef, params?: Record<string, string>): string {
  return definition.path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined) throw new Error(`${definition.path}: missing path parameter ${name}`);
    return encodeURIComponent(value);
  });
}

/** `?a=1&b=2` for a query object (undefined values left out), or ''. */
export function queryString(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== null) search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
