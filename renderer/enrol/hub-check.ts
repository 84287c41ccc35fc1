import { hubUrl as hubUrlSchema } from '../../shared/bridge';
import { API_PREFIX, terminalInfo, type TerminalInfo } from '../../shared/protocol';
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
  let response: Response;
  try {
    response = await doFetch(`${base}${API_PREFIX}/terminal`, {
      headers: { authorization: `Bearer ${token.trim()}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return err({ kind: 'unreachable', detail: error instanceof Error ? error.message : '' });
  }
  if (response.status === 401 || response.status === 403) return err({ kind: 'bad_token' });
  if (!response.ok) return err({ kind: 'unreachable', detail: `HTTP ${response.status}` });
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return err({ kind: 'bad_response', detail: 'not JSON' });
  }
  const parsed = terminalInfo.safeParse(body);
  if (!parsed.success) return err({ kind: 'bad_response', detail: parsed.error.message });
  return ok({ hubUrl: base, info: parsed.data });
}
