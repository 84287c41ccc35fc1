import type { FastifyRequest } from 'fastify';
import type { Queryable } from '../db/database';
import { forbidden } from '../http/errors';
import { hashSecret, secretMatches } from './secrets';

export type TerminalPrincipal = { terminalId: string; storeId: string; name: string };

/** The token of an `Authorization: Bearer …` header, or null. */
export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? null;
}

/**
 * Resolves a terminal by its token's hash (`hashSecret`; revoked ones are refused). REST and
 * socket handshakes reach it through each node's cache (auth/terminal-cache.ts).
 */
export async function terminalForTokenHash(
  db: Queryable,
  tokenHash: string,
): Promise<TerminalPrincipal | null> {
  const rows = await db.query<{ id: string; store_id: string; name: string }>(
    'select id, store_id, name from terminals where token_hash = $1 and revoked_at is null',
    [tokenHash],
  );
  const row = rows[0];
  return row ? { terminalId: row.id, storeId: row.store_id, name: row.name } : null;
}

/** A terminal may only touch its own store's data. */
export function requireSameStore(terminal: TerminalPrincipal, storeId: string): void {
  if (terminal.storeId !== storeId) throw forbidden('this terminal belongs to another store');
}

export const SETTING_INTEGRATION_KEY = 'integration_key_hash';
export const SETTING_ADMIN_KEY = 'admin_key_hash';

async function keyMatches(
  db: Queryable,
  presented: string,
  envKey: string | undefined,
  setting: string,
): Promise<boolean> {
  if (!presented) return false;
  if (envKey && presented.length === envKey.length && secretMatches(presented, hashSecret(envKey)))
    return true;
  const rows = await db.query<{ value: string }>('select value from settings where key = $1', [
    setting,
  ]);
  return rows[0] ? secretMatches(presented, rows[0].value) : false;
}

/** Head-office integrations: `X-Integration-Key` (the env key, or the one rotated into the DB). */
export const integrationKeyMatches = (
  db: Queryable,
  presented: string,
  envKey: string | undefined,
): Promise<boolean> => keyMatches(db, presented, envKey, SETTING_INTEGRATION_KEY);

/** IT administration: `X-Admin-Key`. */
export const adminKeyMatches = (
  db: Queryable,
  presented: string,
  envKey: string | undefined,
): Promise<boolean> => keyMatches(db, presented, envKey, SETTING_ADMIN_KEY);
