import { afterEach, describe, expect, it } from 'vitest';
import { customerProfile } from '../../shared/protocol';
import { customerFeedPage } from '../sync/feed-json';
import type { Db } from './database';
import { migrate } from './migrate';
import { openTestPglite } from '../../test/support/pglite-template';

const ID = {
  granted: '0190b000-0000-7000-8000-0000000016a1',
  none: '0190b000-0000-7000-8000-0000000016a2',
};

describe('migration 016 (marketing consent)', () => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it(
    'marks stored feed JSON out of date; the feed then carries each member’s consent from the flag a v15 hub kept',
    { timeout: 60_000 },
    async () => {
      db = await openTestPglite();
      await migrate(db, 15);
      // Stored JSON as a v15 hub wrote it (no consent in it), current for its seq; one member
      // agreed at registration (the flag), one never did.
      await db.query(
        `insert into customers(id, seq, name, member_code, consent_marketing, feed_json, feed_json_seq)
         values ($1, 7, '会员甲', 'M16A', true, '{"old":true}', 7),
                ($2, 8, '会员乙', 'M16B', false, '{"old":true}', 8)`,
        [ID.granted, ID.none],
      );

      expect(await migrate(db, 16)).toEqual([16]);
      const rows = await db.query<{ feed_json_seq: string | null }>(
        'select feed_json_seq::text as feed_json_seq from customers',
      );
      expect(rows.map((r) => r.feed_json_seq)).toEqual([null, null]);
      const page = await customerFeedPage(db, { after: '0', limit: 10 });
      const items = (JSON.parse(page.itemsJson.toString()) as unknown[]).map((i) =>
        customerProfile.parse(i),
      );
      expect(items.map((i) => [i.id, i.marketingConsent])).toEqual([
        [ID.granted, { granted: true, at: null, noticeVersion: null }],
        [ID.none, { granted: false, at: null, noticeVersion: null }],
      ]);
      const tables = await db.query<{ n: number }>(
        `select (select count(*) from marketing_consent_events)::int
              + (select count(*) from marketing_consents)::int as n`,
      );
      expect(tables[0]!.n).toBe(0);
    },
  );
});
