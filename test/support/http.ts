import { TEST_ADMIN_KEY, TEST_INTEGRATION_KEY, type HubProcess } from './hub-process';

export type JsonResponse<T = unknown> = { status: number; body: T };

/**
 * Small raw JSON client for tests that assert statuses and headers:
 * `call(hub, 'POST', API_PREFIX + endpointPath(endpoints.postOrders), body, {token})`.
 * Everything else goes through the typed client (./api.ts).
 */
export async function call<T = unknown>(
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
