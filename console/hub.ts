import { createApiClient, type ApiClient, type ApiError } from '../shared/api-client';

/**
 * The console's link to the hub that serves it: the shared client (paths from the endpoint
 * table, answers validated), same origin, the admin key as `X-Admin-Key`. The key lives only in
 * this tab's sessionStorage — gone when the tab closes, never in localStorage or a cookie.
 */
const KEY = 'shopguide.console.adminKey';

export const savedKey = (): string | null => sessionStorage.getItem(KEY);
export const saveKey = (key: string) => sessionStorage.setItem(KEY, key);
export const forgetKey = () => sessionStorage.removeItem(KEY);

export function consoleApi(key: () => string | null): ApiClient {
  return createApiClient({
    baseUrl: window.location.origin,
    credentials: { admin: key },
  });
}

/** What went wrong, as the console says it: a wrong key, too many calls, or anything else. */
export type Failure =
  | { kind: 'wrong_key' }
  | { kind: 'rate_limited'; seconds: number }
  | { kind: 'other'; message: string };

export function failureOf(error: ApiError): Failure {
  if (error.code === 'unauthorized') return { kind: 'wrong_key' };
  if (error.status === 429) {
    const details = error.details as { retryAfterSeconds?: unknown } | undefined;
    const seconds = typeof details?.retryAfterSeconds === 'number' ? details.retryAfterSeconds : 60;
    return { kind: 'rate_limited', seconds };
  }
  return { kind: 'other', message: error.message };
}
