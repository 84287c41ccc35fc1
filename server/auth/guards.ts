import type { FastifyRequest } from 'fastify';
import type { Db, Queryable } from '../db/database';
import { forbidden, unauthorized } from '../http/errors';
import { hashSecret, secretMatches } from './secrets';

export type TerminalPrincipal = { terminalId: string; storeId: string; name: string };

function bearer(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? null;
}

/** Resolves a terminal token (revoked ones are refused). Used by REST and socket handshakes. */
export async function terminalForToken(
  db: Queryable,
  token: string,
): Promise<TerminalPrincipal | null> {
  const rows = await db.query<{ id: string; store_id: string; name: string }>(
    'select id, store_id, name from terminals where token_hash = $1 and revoked_at is null',
    [hashSecret(token)],
  );
  const row = rows[0];
  return row ? { terminalId: row.id, storeId: row.store_id, name: row.name } : null;
}

export async function requireTerminal(db: Db, request: FastifyRequest): Promise<TerminalPrincipal> {
  const token = bearer(request);
  if (!token) throw unauthorized('missing bearer token');
  const terminal = await terminalForToken(db, token);
  if (!terminal) throw unauthorized('unknown or revoked terminal token');
  return terminal;
}

/** A terminal may only touch its own store's data. */
export function requireSameStore(terminal: TerminalPrincipal, storeId: string): void {
  if (terminal.storeId !== storeId) throw forbidden('this terminal belongs to another store');
}

export const SETTING_INTEGRATION_KEY = 'integration_key_hash';
export const SETTING_ADMIN_KEY = 'admin_key_hash';

async function keyMatches(
  db: Queryable,
  presented: string | undefined,
  envKey: string | undefined,
  setting: string,
) {
  if (!presented) return false;
  if (envKey && presented.length === envKey.length && secretMatches(presented, hashSecret(envKey)))
    return true;
  const rows = await db.query<{ value: string }>('select value from settings where key = $1', [
    setting,
  ]);
  return rows[0] ? secretMatches(presented, rows[0].value) : false;
}

/** Head-office integrations: `X-Integration-Key` (the env key, or the one rotated into the DB). */
export async function requireIntegration(
  db: Queryable,
  request: FastifyRequest,
  envKey: string | undefined,
) {
  const presented = request.headers['x-integration-key'];
  if (
    !(await keyMatches(
      db,
      typeof presented === 'string' ? presented : undefined,
      envKey,
      SETTING_INTEGRATION_KEY,
    ))
  ) {
    throw unauthorized('missing or invalid X-Integration-Key');
  }
}

/** IT administration: `X-Admin-Key`. */
export async function requireAdmin(
  db: Queryable,
  request: FastifyRequest,
  envKey: string | undefined,
) {
  const presented = request.headers['x-admin-key'];
  if (
    !(await keyMatches(
      db,
      typeof presented === 'string' ? presented : undefined,
      envKey,
      SETTING_ADMIN_KEY,
    ))
  ) {
    throw unauthorized('missing or invalid X-Admin-Key');
  }
}
