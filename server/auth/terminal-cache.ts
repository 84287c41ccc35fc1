import { createBatcher, fulfilled, perDatabase } from '../db/batcher';
import { isConnectionError, type Queryable } from '../db/database';
import { unavailable } from '../http/errors';
import { terminalsForTokenHashes, type TerminalPrincipal } from './guards';
import { hashSecret } from './secrets';

/** Terminals a node remembers at most (a chain has ~6,000 a node; an entry is ~300 bytes). */
export const TERMINAL_CACHE_MAX = 50_000;
/** The longest a resolved terminal is trusted from memory (also bounded by the revocation check). */
export const TERMINAL_CACHE_MAX_TTL_MS = 30_000;
/**
 * Reads of one token at most, when each finds its terminal announced (revoked or re-issued) while
 * it was under way; then the caller is answered 503 / `unavailable` and tries again.
 */
export const TERMINAL_LOOKUP_MAX_READS = 5;
/**
 * Token lookups one statement carries at most, and statements under way at once per node: a
 * dead node's 6,000 terminals reconnecting to a survivor are ≈ 30 statements, not 6,000 (each its
 * own round trip, parse and pooled connection while the survivor accepts them).
 */
export const TOKEN_LOOKUP_BATCH = 200;
export const TOKEN_LOOKUPS_IN_FLIGHT = 2;
const tokenLookupsOf = perDatabase((db: Queryable) =>
  createBatcher(
    async (hashes: readonly string[]) => {
      const found = await terminalsForTokenHashes(db, hashes);
      return fulfilled(hashes.map((hash) => found.get(hash) ?? null));
    },
    {
      maxBatch: TOKEN_LOOKUP_BATCH,
      inFlight: TOKEN_LOOKUPS_IN_FLIGHT,
      failsWaiting: isConnectionError,
    },
  ),
);
/** Evictions remembered for the lookups under way; beyond, those lookups all read again. */
const EVICTIONS_KEPT = 10_000;

/**
 * Resolves terminal tokens (`terminalsForTokenHashes`), remembering positive answers in this node's
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
 * - A lookup that was in flight when an eviction happened is not remembered, and later callers do
 *   not join it: nothing read before a revocation outlives it. When the eviction was of the very
 *   terminal it found (its revocation or re-issue was announced while the row was read, so the
 *   row may predate the commit), it reads the row again before answering: a socket handshake
 *   must not connect on the stale answer, since the announcement has already looked for the
 *   terminal's sockets on this node and found none (realtime/socket-revocation.ts). Only such
 *   overlaps cost a second read; `clear()` counts as an eviction of every terminal.
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
  /** reads under way: while there are none, no eviction needs remembering */
  let reading = 0;
  /** terminal id → the generation its last eviction made, kept while reads are under way */
  const evictedAt = new Map<string, number>();
  /** a read that started before this generation was overlapped by an eviction of any terminal */
  let evictedAllAt = 0;
  const evicted = (terminalId: string | null) => {
    generation += 1;
    if (reading === 0) return;
    if (terminalId === null || evictedAt.size >= EVICTIONS_KEPT) {
      evictedAt.clear();
      evictedAllAt = generation;
    } else evictedAt.set(terminalId, generation);
  };
  /** Whether `terminalId` was evicted since `startedAt` (its row may have been read before). */
  const evictedSince = (terminalId: string, startedAt: number) =>
    evictedAllAt > startedAt || (evictedAt.get(terminalId) ?? 0) > startedAt;

  /** Reads the token's row until no eviction of its terminal overlapped the read. */
  const read = async (db: Queryable, hash: string): Promise<TerminalPrincipal | null> => {
    for (let reads = 1; ; reads += 1) {
      const startedAt = generation;
      reading += 1;
      let principal: TerminalPrincipal | null;
      let overlapped: boolean;
      try {
        // With the lookups of other tokens that come in meanwhile (one statement): the read
        // starts after this call, so what it answers is at least as new as an unbatched read.
        principal = await tokenLookupsOf(db)(hash);
        overlapped = principal !== null && evictedSince(principal.terminalId, startedAt);
      } finally {
        reading -= 1;
        if (reading === 0) evictedAt.clear();
      }
      if (overlapped) {
        if (reads < TERMINAL_LOOKUP_MAX_READS) continue;
        throw unavailable('the terminal was revoked or re-issued during every lookup; try again');
      }
      if (principal && ttlMs > 0 && generation === startedAt) remember(hash, principal);
      return principal;
    }
  };

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
    const lookup = read(db, hash).finally(() => {
      if (inFlight.get(hash) === lookup) inFlight.delete(hash);
    });
    inFlight.set(hash, lookup);
    return lookup;
  };

  return {
    resolve: (db, token) => resolveHash(db, hashSecret(token)),
    resolveHash,
    evict(terminalId) {
      evicted(terminalId);
      inFlight.clear();
      for (const hash of [...(hashesOf.get(terminalId) ?? [])]) forget(hash);
    },
    clear() {
      evicted(null);
      inFlight.clear();
      entries.clear();
      hashesOf.clear();
    },
    get size() {
      return entries.size;
    },
  };
}
