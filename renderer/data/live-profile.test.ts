// Dexie's live queries need a global indexedDB (each database below still has its own factory).
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { CustomerProfile } from '../../shared/protocol';
import { toCachedCustomer } from './customer-rows';
import { cachedProfile } from './customers';
import { TerminalDb } from './database';
import { watchQuery } from './live';
import { freshIdb, makeProfile } from './testing';

/** The values a live query has given so far, and a wait for one that passes `check`. */
function follow(db: TerminalDb, id: string) {
  const seen: (CustomerProfile | null)[] = [];
  const errors: unknown[] = [];
  const stop = watchQuery(() => cachedProfile(db, id), {
    next: (value) => seen.push(value),
    error: (e) => errors.push(e),
  });
  const until = async (check: (p: CustomerProfile | null) => boolean) => {
    // bounded by time (10 s), not by a count of 10 ms steps
    const deadline = Date.now() + 10_000;
    while (!seen.some(check) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(errors).toEqual([]);
    expect(seen.some(check)).toBe(true);
  };
  return { seen, stop, until };
}

describe('an open profile follows the cache (the 360, customer-screen.tsx)', () => {
  it('sees a newer version written by another window of the same terminal', async () => {
    const idb = freshIdb();
    const a = new TerminalDb('shared', idb);
    const b = new TerminalDb('shared', idb);
    const profile = await makeProfile({ name: '王芳', notes: '周末常来', sizes: { top: 'M' } });
    await a.customerStore.upsert([toCachedCustomer(profile)]);

    const open = follow(b, profile.id);
    await open.until((p) => p?.notes === '周末常来');
    // Same lookup keys: the new version is an override row.
    await a.customerStore.upsert([
      toCachedCustomer({ ...profile, notes: '肩宽', sizes: { top: 'L' } }),
    ]);
    await open.until((p) => p?.notes === '肩宽' && p.sizes.top === 'L');
    // New lookup keys (a new name): the block itself is written again.
    await a.customerStore.upsert([toCachedCustomer({ ...profile, name: '王芳芳', notes: '肩宽' })]);
    await open.until((p) => p?.name === '王芳芳');
    open.stop();
    a.close();
    b.close();
  });
});
