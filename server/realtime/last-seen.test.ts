import { describe, expect, it, vi } from 'vitest';
import type { Queryable } from '../db/database';
import { createLastSeenStamps } from './last-seen';

function recordingDb(fail = false) {
  const calls: { sql: string; ids: string[] }[] = [];
  const db: Queryable = {
    query: async (sql, params) => {
      calls.push({ sql, ids: [...(params?.[0] as string[])] });
      if (fail) throw new Error('connection terminated');
      return [];
    },
  };
  return { db, calls };
}

describe('last seen stamps at socket connect', () => {
  it('stamps the connects of one interval in one statement', async () => {
    vi.useFakeTimers();
    try {
      const { db, calls } = recordingDb();
      const stamps = createLastSeenStamps({ db, log: { warn: vi.fn() }, flushMs: 1_000 });
      for (const id of ['a', 'b', 'a', 'c']) stamps.add(id);
      await vi.advanceTimersByTimeAsync(999);
      expect(calls).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.sql).toMatch(/update terminals set last_seen_at = now\(\) where id = any/);
      expect(calls[0]!.ids).toEqual(['a', 'b', 'c']);
      stamps.add('d');
      await vi.advanceTimersByTimeAsync(1_000);
      expect(calls.map((c) => c.ids)).toEqual([['a', 'b', 'c'], ['d']]);
      await vi.advanceTimersByTimeAsync(5_000);
      expect(calls).toHaveLength(2);
      await stamps.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('flushes early once maxPending terminals wait', async () => {
    vi.useFakeTimers();
    try {
      const { db, calls } = recordingDb();
      const stamps = createLastSeenStamps({ db, log: { warn: vi.fn() }, maxPending: 3 });
      for (const id of ['a', 'b', 'c', 'd']) stamps.add(id);
      await vi.advanceTimersByTimeAsync(0);
      expect(calls.map((c) => c.ids)).toEqual([['a', 'b', 'c']]);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(calls.map((c) => c.ids)).toEqual([['a', 'b', 'c'], ['d']]);
      await stamps.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('close stamps what waits and stops the timer; later connects are not stamped', async () => {
    vi.useFakeTimers();
    try {
      const { db, calls } = recordingDb();
      const stamps = createLastSeenStamps({ db, log: { warn: vi.fn() } });
      stamps.add('a');
      await stamps.close();
      expect(calls.map((c) => c.ids)).toEqual([['a']]);
      expect(vi.getTimerCount()).toBe(0);
      stamps.add('b');
      await vi.advanceTimersByTimeAsync(5_000);
      expect(calls).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('logs a failed flush as a warning with a count only, never throws', async () => {
    const { db } = recordingDb(true);
    const warn = vi.fn();
    const stamps = createLastSeenStamps({ db, log: { warn }, flushMs: 10 });
    stamps.add('2f6c1a9e-0000-4000-8000-000000000001');
    await stamps.close();
    expect(warn).toHaveBeenCalledTimes(1);
    const [fields, message] = warn.mock.calls[0]!;
    expect(message).toBe('last seen not stamped');
    expect(fields).toMatchObject({ terminals: 1 });
    expect(JSON.stringify(fields)).not.toContain('2f6c1a9e');
  });
});
