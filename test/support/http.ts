import { API_PREFIX, endpointPath, queryString, type EndpointDef } from '../../shared/protocol';
import { TEST_ADMIN_KEY, TEST_INTEGRATION_KEY, type HubProcess } from './hub-process';

export type JsonResponse<T = unknown> = { status: number; body: T };

/** A route's full path from the endpoint table, for `rawCall`s that send hostile bodies or headers. */
export function routePath(
  endpoint: EndpointDef,
  params?: Record<string, string>,
  query?: Record<string, unknown>,
): string {
  return `${API_PREFIX}${endpointPath(endpoint, params)}${queryString(query)}`;
}

/**
 * Raw HTTP, around the typed contract on purpose: **only** for hostile input and credential
 * probes — an unknown path, a wrong method, a body or query the schema refuses, a missing or forged
 * header — and the routes outside the REST contract (`/healthz`, `/readyz`). Build a real route's
 * path with `routePath`; everything else goes through the typed client (`hubApi` / `must` /
 * `callRoute`, ./api.ts). Lint refuses a `/api/v1` literal anywhere but as a `rawCall` argument
 * (eslint.config.js).
 */
export async function rawCall<T = unknown>(
  hub: Pick<HubProcess, 'url'>,
  method: string,
  path: string,
  body?: unknown,
  auth: {
    token?: string;
    integration?: boolean | string;
    admin?: boolean | string;
    headers?: Record<string, string>;
  } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...auth.headers };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  if (auth.integration)
    headers['x-integration-key'] =
      auth.integration === true ? TEST_INTEGRATION_KEY : auth.integration;
  if (auth.admin) headers['x-admin-key'] = auth.admin === true ? TEST_ADMIN_KEY : auth.admin;
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}
