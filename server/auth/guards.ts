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
 * Resolves terminals by their tokens' hashes (`hashSecret`; revoked ones are refused), several in
 * one statement: the hashes found, each with its terminal. REST and socket handshakes reach it
 * through each node's cache (auth/terminal-cache.ts), which sends the lookups that come in
 * together — a dead node's terminals reconnecting to a survivor — as one statement.
 */
export async function terminalsForTokenHashes(
  db: Queryable,
  tokenHashes: readonly string[],
): Promise<Map<string, TerminalPrincipal>> {
  const rows = await db.query<{ id: string; store_id: string; name: string; token_hash: string }>(
    `select id, store_id, name, token_hash from terminals
      where token_hash = any($1::text[]) and revoked_at is null`,
    [tokenHashes],
  );
  return new Map(
    rows.map((row) => [
      row.token_hash,
      { terminalId: row.id, storeId: row.store_id, name: row.name },
    ]),
  );
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
