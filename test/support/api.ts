import { createApiClient, type ApiClient, type ApiResult } from '../../shared/api-client';
import { TEST_ADMIN_KEY, TEST_INTEGRATION_KEY, type HubProcess } from './hub-process';

/**
 * The hub's typed client (shared/api-client.ts) for tests and benchmarks: paths from the endpoint
 * table, every answer validated. `token` for terminal routes; head office's and IT's keys default
 * to the test hub's. Tests that look at raw statuses and headers use `call` (./http.ts).
 */
export function hubApi(
  hub: Pick<HubProcess, 'url'>,
  auth: { token?: string; integrationKey?: string; adminKey?: string } = {},
): ApiClient {
  return createApiClient({
    baseUrl: hub.url,
    credentials: {
      terminal: () => auth.token,
      integration: () => auth.integrationKey ?? TEST_INTEGRATION_KEY,
      admin: () => auth.adminKey ?? TEST_ADMIN_KEY,
    },
  });
}

/** The answer's value; a failure throws with the hub's code and message (setup code, not tests). */
export async function must<T>(result: Promise<ApiResult<T>>, what = 'hub call'): Promise<T> {
  const settled = await result;
  if (settled.ok) return settled.value;
  const { code, status, reason, message } = settled.error;
  throw new Error(`${what} failed: ${code} ${status ?? ''} ${reason ?? ''} ${message}`);
}
