import type { Queryable } from '../db/database';
import { terminalForTokenHash, type TerminalPrincipal } from './guards';
import { hashSecret } from './secrets';

/** Terminals a node remembers at most (a chain has ~6,000 a node; an entry is ~300 bytes). */
export const TERMINAL_CACHE_MAX = 50_000;
/** The longest a resolved terminal is trusted from memory (also bounded by the revocation check). */
export const TERMINAL_CACHE_MAX_TTL_MS = 30_000;

/**
 * Resolves terminal tokens (`terminalForTokenHash`), remembering positive answers in this node's
 * memory so a reconnecting terminal's handshake and its catch-up `GET /alerts?since=` cost one
 * query between them, not one each (bench:chain's failover: ~6,000 terminals reconnecting to the
 * survivor within a second or two, where every query slows the loop that accepts connections).
 *
 * - Keyed by the token's SHA-256 (`hashSecret`), never the token; only tokens that resolved to a
 *   live terminal are kept, so a guessed or revoked token costs a query every time (and is counted
 *   by the throttle as before).
 * - An entry is trusted for `ttlMs` from the query that produced it (a hit does not extend it),
 *   at most the node's revocation check interval (`HUB_REVOCATION_CHECK_MS`) and 30 s; LRU-bounded.
 * - `evict(terminalId)` forgets a terminal: a revocation or re-issue through the hub, or by
 *   hub:admin in direct mode on PostgreSQL, reaches it on every node at once
 *   (server/realtime/terminal-auth.ts). Other SQL written straight to the database is seen by REST
 *   and new handshakes once the entry expires — within `ttlMs` — and by connected sockets at the
 *   next revocation check, as before.
 * - A lookup that was in flight when an eviction happened answers its callers but is not
 *   remembered, and later callers do not join it: nothing read before a revocation outlives it.
 */
export type TerminalPrincipalCache = {
  resolve(db: Queryable, token: string): Promise<TerminalPrincipal | null>;
  /** The same by the token's hash (`hashSecret`), for a caller that keeps the hash itself. */
  resolveHash(db: Queryable, tokenHash: string): Promise<TerminalPrincipal | null>;
  evict(terminalId: string): void;
  /** Forgets everything (e.g. after a Redis outage, when evictions from other nodes may be lost). */
  clear(): void;
  readonly size: number;
};

type Entry = { principal: TerminalPrincipal; expiresAt: number };

export function createTerminalPrincipalCache(options: {
  ttlMs: number;
  maxEntries?: number;
  now?: () => number;
}): TerminalPrincipalCache {
  const ttlMs = Math.max(0, Math.min(options.ttlMs, TERMINAL_CACHE_MAX_TTL_MS));
  const max = options.maxEntries ?? TERMINAL_CACHE_MAX;
  const now = options.now ?? Date.now;
  /** token hash → entry, least recently used first (a Map keeps insertion order) */
  const entries = new Map<string, Entry>();
  /** terminal id → the token hashes cached for it (one, unless a token was re-issued) */
  const hashesOf = new Map<string, Set<string>>();
  /** lookups under way, by token hash: a burst of one terminal's calls makes one query */
  const inFlight = new Map<string, Promise<TerminalPrincipal | null>>();
  /** bumped by every eviction: a lookup that saw it change does not store its answer */
  let generation = 0;

  const forget = (hash: string) => {
    const entry = entries.get(hash);
    if (!entry) return;
    entries.delete(hash);
    const hashes = hashesOf.get(entry.principal.terminalId);
    hashes?.delete(hash);
    if (hashes?.size === 0) hashesOf.delete(entry.principal.terminalId);
  };
  const remember = (hash: string, principal: TerminalPrincipal) => {
    forget(hash);
    entries.set(hash, { principal, expiresAt: now() + ttlMs });
    let hashes = hashesOf.get(principal.terminalId);
    if (!hashes) hashesOf.set(principal.terminalId, (hashes = new Set()));
    hashes.add(hash);
    while (entries.size > max) forget(entries.keys().next().value!);
  };

  const resolveHash = (db: Queryable, hash: string): Promise<TerminalPrincipal | null> => {
    const entry = entries.get(hash);
    if (entry) {
      if (entry.expiresAt > now()) {
        // Most recently used goes last; the expiry stays that of the query.
        entries.delete(hash);
        entries.set(hash, entry);
        return Promise.resolve(entry.principal);
      }
      forget(hash);
    }
    const pending = inFlight.get(hash);
    if (pending) return pending;
    const startedAt = generation;
    const lookup = terminalForTokenHash(db, hash)
      .then((principal) => {
        if (principal && ttlMs > 0 && generation === startedAt) remember(hash, principal);
        return principal;
      })
      .finally(() => {
        if (inFlight.get(hash) === lookup) inFlight.delete(hash);
      });
    inFlight.set(hash, lookup);
    return lookup;
  };

  return {
    resolve: (db, token) => resolveHash(db, hashSecret(token)),
    resolveHash,
    evict(terminalId) {
      generation += 1;
      inFlight.clear();
      for (const hash of [...(hashesOf.get(terminalId) ?? [])]) forget(hash);
    },
    clear() {
      generation += 1;
      inFlight.clear();
      entries.clear();
      hashesOf.clear();
    },
    get size() {
      return entries.size;
    },
  };
}
