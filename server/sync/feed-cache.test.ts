import { describe, expect, it } from 'vitest';
import { FeedPageCache, type FeedPageBytes } from './feed-cache';

const page = (cursor: string, bytes = 10, hasMore = true): FeedPageBytes => ({
  itemsJson: Buffer.alloc(bytes, 0x20),
  count: 1,
  cursor,
  hasMore,
});

function clock(start = 0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('FeedPageCache', () => {
  it('builds a full page once and serves it from memory after that', async () => {
    const cache = new FeedPageCache({ maxBytes: 1000, ttlMs: 60_000 });
    let builds = 0;
    const build = async () => (builds++, page('5'));
    expect((await cache.getOrBuild('0:5', build)).hit).toBe(false);
    const second = await cache.getOrBuild('0:5', build);
    expect(second).toMatchObject({ hit: true, page: { cursor: '5' } });
    expect(builds).toBe(1);
  });

  it('never keeps the last, partial page: rows after it may still come', async () => {
    const cache = new FeedPageCache({ maxBytes: 1000, ttlMs: 60_000 });
    await cache.getOrBuild('5:5', async () => page('7', 10, false));
    expect((await cache.getOrBuild('5:5', async () => page('8', 10, false))).page.cursor).toBe('8');
    expect(cache.size.pages).toBe(0);
  });

  it('runs one build for many requests of the same page at once (a rollout of terminals)', async () => {
    const cache = new FeedPageCache({ maxBytes: 1000, ttlMs: 60_000 });
    let builds = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const build = async () => {
      builds++;
      await gate;
      return page('5');
    };
    const waiting = Promise.all([1, 2, 3].map(() => cache.getOrBuild('0:5', build)));
    release();
    const results = await waiting;
    expect(builds).toBe(1);
    expect(results.map((r) => r.page.cursor)).toEqual(['5', '5', '5']);
  });

  it('holds: a page kept or being built, not a last page, an unknown key or an expired one', async () => {
    const time = clock();
    const cache = new FeedPageCache({ maxBytes: 1000, ttlMs: 1000, now: time.now });
    expect(cache.holds('0:5')).toBe(false);
    let release: () => void = () => undefined;
    const building = cache.getOrBuild(
      '0:5',
      () => new Promise<FeedPageBytes>((resolve) => (release = () => resolve(page('5')))),
    );
    expect(cache.holds('0:5')).toBe(true);
    release();
    await building;
    expect(cache.holds('0:5')).toBe(true);
    // A last page (a hint's pull) is never kept: the next request for it is built anew.
    await cache.getOrBuild('5:5', async () => page('6', 10, false));
    expect(cache.holds('5:5')).toBe(false);
    time.advance(1001);
    expect(cache.holds('0:5')).toBe(false);
  });

  it('rebuilds a page older than the time to live', async () => {
    const time = clock();
    const cache = new FeedPageCache({ maxBytes: 1000, ttlMs: 1000, now: time.now });
    await cache.getOrBuild('0:5', async () => page('5'));
    time.advance(1000);
    expect((await cache.getOrBuild('0:5', async () => page('6'))).hit).toBe(true);
    time.advance(1);
    const rebuilt = await cache.getOrBuild('0:5', async () => page('6'));
    expect(rebuilt).toMatchObject({ hit: false, page: { cursor: '6' } });
    expect(cache.size).toEqual({ pages: 1, bytes: 10 });
  });

  it('stays within its byte budget, dropping the oldest pages first', async () => {
    const cache = new FeedPageCache({ maxBytes: 25, ttlMs: 60_000 });
    await cache.getOrBuild('a', async () => page('1', 10));
    await cache.getOrBuild('b', async () => page('2', 10));
    await cache.getOrBuild('c', async () => page('3', 10));
    expect(cache.size).toEqual({ pages: 2, bytes: 20 });
    expect((await cache.getOrBuild('a', async () => page('1', 10))).hit).toBe(false);
    expect((await cache.getOrBuild('c', async () => page('3', 10))).hit).toBe(true);
    // A page larger than the whole budget is served but not kept.
    await cache.getOrBuild('huge', async () => page('9', 26));
    expect(cache.size.bytes).toBeLessThanOrEqual(25);
    expect((await cache.getOrBuild('huge', async () => page('9', 26))).hit).toBe(false);
  });

  it('empties itself when the erasure epoch moves, and keeps nothing built across the move', async () => {
    const cache = new FeedPageCache({ maxBytes: 1000, ttlMs: 60_000 });
    cache.checkEpoch('1');
    await cache.getOrBuild('0:5', async () => page('5'));
    cache.checkEpoch('1');
    expect(cache.size.pages).toBe(1);
    cache.checkEpoch('2');
    expect(cache.size.pages).toBe(0);

    // A build that started before an erasure may hold the erased data: served once, not kept.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const building = cache.getOrBuild('0:5', async () => (await gate, page('5')));
    cache.checkEpoch('3');
    release();
    await building;
    expect(cache.size.pages).toBe(0);
  });

  it('keeps nothing when its budget is 0 (turned off)', async () => {
    const cache = new FeedPageCache({ maxBytes: 0, ttlMs: 60_000 });
    expect(cache.enabled).toBe(false);
    await cache.getOrBuild('0:5', async () => page('5'));
    expect((await cache.getOrBuild('0:5', async () => page('5'))).hit).toBe(false);
  });

  describe('read-ahead', () => {
    /** A feed of full pages of 10 rows each, ending at 50 (its last page is partial). */
    const feed = () => {
      const built: string[] = [];
      const buildAfter = async (after: string) => {
        built.push(after);
        const next = Number(after) + 10;
        return page(String(next), 10, next < 50);
      };
      return { built, buildAfter, keyOf: (after: string) => `chain:${after}:10` };
    };

    it('builds the next pages ahead, and the terminal then finds them ready', async () => {
      const cache = new FeedPageCache({ maxBytes: 1000, ttlMs: 60_000 });
      const { built, buildAfter, keyOf } = feed();
      await cache.readAhead('10', 2, keyOf, buildAfter);
      expect(built).toEqual(['10', '20']);
      const next = await cache.getOrBuild(keyOf('10'), () => buildAfter('10'));
      expect(next).toMatchObject({ hit: true, page: { cursor: '20' } });
      // Walking on skips what is held and builds only what is not.
      await cache.readAhead('20', 2, keyOf, buildAfter);
      expect(built).toEqual(['10', '20', '30']);
    });

    it('stops at the last page and never keeps it', async () => {
      const cache = new FeedPageCache({ maxBytes: 1000, ttlMs: 60_000 });
      const { built, buildAfter, keyOf } = feed();
      await cache.readAhead('30', 5, keyOf, buildAfter);
      expect(built).toEqual(['30', '40']);
      expect(cache.size.pages).toBe(1);
      expect((await cache.getOrBuild(keyOf('40'), () => buildAfter('40'))).hit).toBe(false);
    });

    it('with the cache off, serves a page built ahead once', async () => {
      const cache = new FeedPageCache({ maxBytes: 0, ttlMs: 60_000 });
      const { built, buildAfter, keyOf } = feed();
      await cache.readAhead('0', 2, keyOf, buildAfter);
      expect((await cache.getOrBuild(keyOf('0'), () => buildAfter('0'))).hit).toBe(true);
      expect((await cache.getOrBuild(keyOf('0'), () => buildAfter('0'))).hit).toBe(false);
      expect(built).toEqual(['0', '10', '0']);
      expect(cache.size.pages).toBe(0);
    });

    it('drops pages built ahead when the erasure epoch moves, also with the cache off', async () => {
      for (const maxBytes of [0, 1000]) {
        const cache = new FeedPageCache({ maxBytes, ttlMs: 60_000 });
        const { buildAfter, keyOf } = feed();
        cache.checkEpoch('1');
        await cache.readAhead('0', 2, keyOf, buildAfter);
        cache.checkEpoch('2');
        expect((await cache.getOrBuild(keyOf('0'), () => buildAfter('0'))).hit).toBe(false);
        // Built across an erasure: not kept either.
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        const ahead = cache.readAhead('20', 1, keyOf, async (after) => {
          await gate;
          return buildAfter(after);
        });
        cache.checkEpoch('3');
        release();
        await ahead;
        expect((await cache.getOrBuild(keyOf('20'), () => buildAfter('20'))).hit).toBe(false);
      }
    });

    it('never rejects: a failed build ahead is left to the terminal’s own request', async () => {
      const cache = new FeedPageCache({ maxBytes: 1000, ttlMs: 60_000 });
      await expect(
        cache.readAhead(
          '0',
          2,
          (a) => a,
          () => Promise.reject(new Error('database gone')),
        ),
      ).resolves.toBeUndefined();
      expect(cache.size.pages).toBe(0);
    });
  });
});
