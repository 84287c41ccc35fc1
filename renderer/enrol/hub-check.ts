import { hubUrl as hubUrlSchema } from '../../shared/bridge';
import { createApiClient } from '../../shared/api-client';
import { endpoints, type TerminalInfo } from '../../shared/protocol';
import { err, ok, type Result } from '../../shared/result';

export type HubCheckError =
  | { kind: 'bad_url' }
  | { kind: 'unreachable'; detail: string }
  | { kind: 'bad_token' }
  | { kind: 'bad_response'; detail: string };

/**
 * Asks the hub who this token belongs to (`GET /api/v1/terminal`). Each failure is told apart,
 * because the fix differs: a wrong address or a hub that is down vs. a mistyped or revoked token.
 */
export async function checkTerminal(
  rawUrl: string,
  token: string,
  doFetch: typeof fetch = (...args) => globalThis.fetch(...args),
  timeoutMs = 10_000,
): Promise<Result<{ hubUrl: string; info: TerminalInfo }, HubCheckError>> {
  const url = hubUrlSchema.safeParse(rawUrl);
  if (!url.success) return err({ kind: 'bad_url' });
  const base = url.data.replace(/\/+$/, '');
  const api = createApiClient({
    baseUrl: base,
    credentials: { terminal: () => token.trim() },
    timeoutMs,
    fetch: doFetch,
  });
  const answer = await api.call(endpoints.terminalInfo);
  if (answer.ok) return ok({ hubUrl: base, info: answer.value });
  const { code, status, message } = answer.error;
  if (code === 'unauthorized' || status === 403) return err({ kind: 'bad_token' });
  if (code === 'invalid_response') return err({ kind: 'bad_response', detail: message });
  // A body that is not JSON on a 200 comes back as a network failure with the status set.
  if (status !== undefined && status < 300)
    return err({ kind: 'bad_response', detail: 'not JSON' });
  return err({
    kind: 'unreachable',
    detail: status === undefined ? message : `HTTP ${status}`,
  });
}
