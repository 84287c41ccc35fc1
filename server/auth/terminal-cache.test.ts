import { describe, expect, it } from 'vitest';
import type { Queryable } from '../db/database';
import { hashSecret } from './secrets';
import {
  createTerminalPrincipalCache,
  TERMINAL_CACHE_MAX_TTL_MS,
  TERMINAL_LOOKUP_MAX_READS,
} from './terminal-cache';

/**
 * A terminals table of `tokens` (token → terminal id), counting lookups (statements) and the
 * hashes each asked for (`params`, flat); `revoked` hides one.
 */
function fakeDb(tokens: Record<string, string>) {
  const state = {
    lookups: 0,
    params: [] as unknown[],
    /** the hashes of each statement, in the order sent */
    batches: [] as string[][],
    revoked: new Set<string>(),
    /** a lookup waits for this when set (to interleave an eviction) */
    gate: null as Promise<void> | null,
  };
  const db: Queryable = {
    query: async <T>(_sql: string, params?: readonly unknown[]) => {
      state.lookups += 1;
      const hashes = params?.[0] as string[];
      state.params.push(...hashes);
      state.batches.push([...hashes]);
      const rows = Object.entries(tokens)
        .filter(([token, id]) => hashes.includes(hashSecret(token)) && !state.revoked.has(id))
        .map(([token, id]) => ({ id, store_id: 's1', name: id, token_hash: hashSecret(token) }));
      // Read, then answered late (when a test holds the gate).
      if (state.gate) await state.gate;
      return rows as T[];
    },
  };
  return { db, state };
}

describe('terminal principal cache', () => {
  it('remembers a resolved terminal by its token hash until the TTL, and never a refusal', async () => {
    let now = 1_000;
    const { db, state } = fakeDb({ tokA: 't-a' });
    const cache = createTerminalPrincipalCache({ ttlMs: 500, now: () => now });
    expect(await cache.resolve(db, 'tokA')).toMatchObject({ terminalId: 't-a' });
    expect(await cache.resolve(db, 'tokA')).toMatchObject({ terminalId: 't-a' });
    expect(state.lookups).toBe(1);
    // The query sees the hash; the token itself is nowhere in what the cache passes on.
    expect(state.params).toEqual([hashSecret('tokA')]);
    now += 499;
    await cache.resolve(db, 'tokA');
    expect(state.lookups).toBe(1);
    // A hit does not extend the entry: expired 500 ms after its query.
    now += 1;
    await cache.resolve(db, 'tokA');
    expect(state.lookups).toBe(2);

    expect(await cache.resolve(db, 'nope')).toBeNull();
    expect(await cache.resolve(db, 'nope')).toBeNull();
    expect(state.lookups).toBe(4);
    expect(cache.size).toBe(1);
  });

  it('caps the TTL at 30 s whatever the revocation check interval', async () => {
    let now = 0;
    const { db, state } = fakeDb({ tokA: 't-a' });
    const cache = createTerminalPrincipalCache({ ttlMs: 10 * 60_000, now: () => now });
    await cache.resolve(db, 'tokA');
    now = TERMINAL_CACHE_MAX_TTL_MS;
    await cache.resolve(db, 'tokA');
    expect(state.lookups).toBe(2);
  });

  it('evicts the least recently used entry beyond its bound', async () => {
    const { db, state } = fakeDb({ a: 'A', b: 'B', c: 'C' });
    const cache = createTerminalPrincipalCache({ ttlMs: 10_000, maxEntries: 2 });
    await cache.resolve(db, 'a');
    await cache.resolve(db, 'b');
    await cache.resolve(db, 'a'); // b is now the least recently used
    await cache.resolve(db, 'c');
    expect(cache.size).toBe(2);
    expect(state.lookups).toBe(3);
    await cache.resolve(db, 'a');
    expect(state.lookups).toBe(3);
    await cache.resolve(db, 'b');
    expect(state.lookups).toBe(4);
  });

  it('forgets an evicted terminal at once, and does not store a lookup an eviction overtook', async () => {
    const { db, state } = fakeDb({ a: 'A', b: 'B' });
    const cache = createTerminalPrincipalCache({ ttlMs: 10_000 });
    await cache.resolve(db, 'a');
    await cache.resolve(db, 'b');
    state.revoked.add('A');
    cache.evict('A');
    expect(await cache.resolve(db, 'a')).toBeNull();
    expect(await cache.resolve(db, 'b')).toMatchObject({ terminalId: 'B' });
    expect(state.lookups).toBe(3);

    // A lookup of B in flight (it read B as live) when B is revoked and evicted: it reads B
    // again before answering (the row it read may predate the revocation), nothing stores the
    // first answer, and a caller after the eviction does not join it.
    cache.clear();
    let open!: () => void;
    state.gate = new Promise((resolve) => (open = resolve));
    const inFlight = cache.resolve(db, 'b');
    const joined = cache.resolve(db, 'b');
    state.revoked.add('B');
    cache.evict('B');
    const after = cache.resolve(db, 'b');
    state.gate = null;
    open();
    expect(await inFlight).toBeNull();
    expect(await joined).toBeNull();
    expect(await after).toBeNull();
    expect(await cache.resolve(db, 'b')).toBeNull();
    expect(cache.size).toBe(0);
  });

  it('reads a token again when its terminal was evicted during the read, only then', async () => {
    const { db, state } = fakeDb({ a: 'A', b: 'B' });
    const cache = createTerminalPrincipalCache({ ttlMs: 10_000 });
    let open!: () => void;
    const hold = () => (state.gate = new Promise((resolve) => (open = resolve)));

    // Re-issued under way (its row unchanged here): read again, answered live, and remembered.
    hold();
    const reissued = cache.resolve(db, 'a');
    cache.evict('A');
    state.gate = null;
    open();
    expect(await reissued).toMatchObject({ terminalId: 'A' });
    expect(state.lookups).toBe(2);
    await cache.resolve(db, 'a');
    expect(state.lookups).toBe(2);

    // Another terminal evicted under way: one read (not remembered, as before).
    hold();
    const other = cache.resolve(db, 'b');
    cache.evict('A');
    state.gate = null;
    open();
    expect(await other).toMatchObject({ terminalId: 'B' });
    expect(state.lookups).toBe(3);

    // Everything forgotten under way (a gap in the announcements): read again.
    cache.clear();
    hold();
    const cleared = cache.resolve(db, 'b');
    cache.clear();
    state.revoked.add('B');
    state.gate = null;
    open();
    expect(await cleared).toBeNull();
    expect(state.lookups).toBe(5);

    // No read under way: an eviction leaves nothing behind that would cost a later read.
    cache.evict('A');
    state.lookups = 0;
    expect(await cache.resolve(db, 'a')).toMatchObject({ terminalId: 'A' });
    expect(state.lookups).toBe(1);
  });

  it('answers `unavailable` when its terminal is evicted during every read', async () => {
    const { db, state } = fakeDb({ a: 'A' });
    const cache = createTerminalPrincipalCache({ ttlMs: 10_000 });
    const { query } = db;
    // Each read of A overtaken by an announcement of A.
    const racing: Queryable = {
      query: async <T>(sql: string, params?: readonly unknown[]) => {
        const rows = await query(sql, params);
        cache.evict('A');
        return rows as T[];
      },
    };
    await expect(cache.resolve(racing, 'a')).rejects.toMatchObject({
      status: 503,
      code: 'unavailable',
    });
    expect(state.lookups).toBe(TERMINAL_LOOKUP_MAX_READS);
    expect(await cache.resolve(db, 'a')).toMatchObject({ terminalId: 'A' });
  });

  it('looks up many tokens asked at once in few statements, each answered its own', async () => {
    // A dead node's terminals reconnecting to this one: 100 handshakes in the same moment.
    const tokens = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`tok${i}`, `T${i}`]));
    const { db, state } = fakeDb(tokens);
    state.revoked.add('T7');
    const cache = createTerminalPrincipalCache({ ttlMs: 10_000 });
    const asked = [...Object.keys(tokens), 'unknown'];
    const answers = await Promise.all(asked.map((t) => cache.resolve(db, t)));
    expect(answers.map((p) => p?.terminalId ?? null)).toEqual(
      asked.map((t) => (t === 'unknown' || t === 'tok7' ? null : tokens[t])),
    );
    // Two statements go at once (each alone), the rest wait and share the next.
    expect(state.lookups).toBe(3);
    expect(state.batches.map((b) => b.length)).toEqual([1, 1, 99]);
    // Remembered: asked again, nothing is read but the refused ones.
    await Promise.all(asked.map((t) => cache.resolve(db, t)));
    expect(state.batches.slice(3).flat().sort()).toEqual(
      [hashSecret('tok7'), hashSecret('unknown')].sort(),
    );
  });

  it('shares one lookup among concurrent callers of one token', async () => {
    const { db, state } = fakeDb({ a: 'A' });
    const cache = createTerminalPrincipalCache({ ttlMs: 10_000 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => cache.resolve(db, 'a')));
    expect(answers.every((p) => p?.terminalId === 'A')).toBe(true);
    expect(state.lookups).toBe(1);
  });
});
