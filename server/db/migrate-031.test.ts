import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { materializeAllFeedJson } from '../sync/feed-json';
import type { Db } from './database';
import { migrate } from './migrate';
import { openTestPglite } from '../../test/support/pglite-template';
import { addScopeMember } from '../../test/support/scope-sql';

/**
 * Migration 031: an arrival writes the member's scope row once, inside `presence_sighting`, where
 * the visit's and the alert's insert triggers and migration 030's update wrote it three times.
 * Checked against that old path itself: the same starting row in two stores, one reached by the
 * sighting, the other by the old writes (the visit and the alert inserted with the triggers on,
 * then 030's update), must end alike and answer alike.
 */
const MEMBER = '0190b000-0000-7000-8000-0000000031c1';
const NEW_WAY = '0190b000-0000-7000-8000-0000000031a1';
const OLD_WAY = '0190b000-0000-7000-8000-0000000031a2';

/** A starting row (null: none), written the same in both stores; times relative to now. */
type Start = {
  reasons: number;
  active: boolean;
  numbered: boolean;
  lastAtMinutesAgo: number;
  profileSeq?: string;
} | null;

const STARTS: Record<string, Start> = {
  'not in the scope': null,
  'in it for her home store, numbered': {
    reasons: 1,
    active: true,
    numbered: true,
    lastAtMinutesAgo: 5,
  },
  'in it as visited and alerted a moment ago': {
    reasons: 12,
    active: true,
    numbered: true,
    lastAtMinutesAgo: 5,
  },
  'in it as visited and alerted two hours ago': {
    reasons: 12,
    active: true,
    numbered: true,
    lastAtMinutesAgo: 120,
  },
  'left it (evicted)': { reasons: 12, active: false, numbered: true, lastAtMinutesAgo: 30 },
  'waiting for its number (online nearby)': {
    reasons: 32,
    active: true,
    numbered: false,
    lastAtMinutesAgo: 5,
  },
  'waiting, already visited and alerted': {
    reasons: 12,
    active: true,
    numbered: false,
    lastAtMinutesAgo: 5,
    profileSeq: '1',
  },
};

type Seen = {
  reasons: number;
  score: number;
  active: boolean;
  seq: string | null;
  profile_seq: string | null;
  last_at_moved: boolean;
  entered_at_moved: boolean;
};

describe('migration 031 (an arrival writes her scope row once)', () => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  const place = async (d: Db, store: string, start: Start) => {
    if (!start) return;
    await d.query(
      `insert into customer_store_scope
         (store_id, customer_id, reasons, score, active, seq, profile_seq, entered_at, last_at)
       values ($1, $2, $3, scope_score($3), $4,
               case when $5 then nextval('change_seq') end, $6::bigint,
               now() - interval '1 day', now() - make_interval(mins => $7))`,
      [
        store,
        MEMBER,
        start.reasons,
        start.active,
        start.numbered,
        start.profileSeq ?? null,
        start.lastAtMinutesAgo,
      ],
    );
  };
  const row = async (d: Db, store: string) =>
    (
      await d.query<Seen>(
        `select reasons, score, active, seq::text as seq, profile_seq::text as profile_seq,
                last_at > now() - interval '1 minute' as last_at_moved,
                entered_at > now() - interval '1 minute' as entered_at_moved
           from customer_store_scope where store_id = $1 and customer_id = $2`,
        [store, MEMBER],
      )
    )[0];

  it(
    'ends every starting row as the triggers and 030 did, and answers `entering` and the stored profile alike',
    { timeout: 60_000 },
    async () => {
      db = await openTestPglite();
      expect(await migrate(db)).toContain(31);
      await db.query(
        `insert into stores(id, name, timezone, lat, lng) values
           ($1, '新路', 'Asia/Shanghai', 31.23, 121.47), ($2, '旧路', 'Asia/Shanghai', 31.23, 121.47)`,
        [NEW_WAY, OLD_WAY],
      );
      await addScopeMember(db, MEMBER, '到店');
      await materializeAllFeedJson(db);

      for (const [name, start] of Object.entries(STARTS)) {
        await db.query('delete from alerts');
        await db.query('delete from visits');
        await db.query('delete from customer_store_scope where customer_id = $1', [MEMBER]);
        await place(db, NEW_WAY, start);
        await place(db, OLD_WAY, start);
        const before = { NEW_WAY: await row(db, NEW_WAY), OLD_WAY: await row(db, OLD_WAY) };

        const [sighted] = await db.query<{
          opened: boolean;
          entering: boolean;
          profile: string | null;
        }>(
          `select opened, entering, profile from presence_sighting(
             $1::uuid, $2::uuid, now(), 30, $3::uuid, 'wifi', $4::uuid,
             now() + interval '30 minutes', '{}'::jsonb)`,
          [NEW_WAY, MEMBER, newId(), newId()],
        );
        // The old path: both inserts with their triggers, then migration 030's update.
        const old = await db.transaction(async (tx) => {
          const [visitId, alertId] = [newId(), newId()];
          await tx.query(
            `insert into visits(id, store_id, customer_id, source, started_at, last_seen_at, alert_id)
             values ($1, $2, $3, 'wifi', now(), now(), $4)`,
            [visitId, OLD_WAY, MEMBER, alertId],
          );
          await tx.query(
            `insert into alerts(id, visit_id, store_id, customer_id, source, raised_at, expires_at, card)
             values ($1, $2, $3, $4, 'wifi', now(), now() + interval '30 minutes', '{}'::jsonb)`,
            [alertId, visitId, OLD_WAY, MEMBER],
          );
          const updated = await tx.query<{ profile: string | null }>(
            `update customer_store_scope s set profile_seq = c.seq
               from customers c
              where s.store_id = $1 and s.customer_id = $2 and s.seq is null and s.active
                and c.id = $2
             returning case when c.feed_json_seq = c.seq then c.feed_json end as profile`,
            [OLD_WAY, MEMBER],
          );
          return { entering: updated.length > 0, profile: updated[0]?.profile ?? null };
        });

        const [newRow, oldRow] = [await row(db, NEW_WAY), await row(db, OLD_WAY)];
        const shape = (r: Seen | undefined, was: Seen | undefined) =>
          r && {
            reasons: r.reasons,
            score: r.score,
            active: r.active,
            // numbers differ between the two stores' rows; whether it kept its own is what counts
            seq: r.seq === null ? null : r.seq === was?.seq ? 'kept' : 'new',
            profileSeq: r.profile_seq,
            lastAtMoved: r.last_at_moved,
            enteredAtMoved: r.entered_at_moved,
          };
        expect({ name, sighted: sighted!.opened }).toEqual({ name, sighted: true });
        expect({ name, row: shape(newRow, before.NEW_WAY) }).toEqual({
          name,
          row: shape(oldRow, before.OLD_WAY),
        });
        expect({ name, entering: sighted!.entering, profile: sighted!.profile }).toEqual({
          name,
          ...old,
        });
      }
    },
  );

  it(
    'leaves the triggers on for every other writer of visits and alerts',
    { timeout: 60_000 },
    async () => {
      db = await openTestPglite();
      await migrate(db);
      await db.query(
        `insert into stores(id, name, timezone, lat, lng) values ($1, '旧路', 'Asia/Shanghai', 31.23, 121.47)`,
        [OLD_WAY],
      );
      await addScopeMember(db, MEMBER, '到店');
      const [visitId, alertId] = [newId(), newId()];
      await db.query(
        `insert into visits(id, store_id, customer_id, source, started_at, last_seen_at, alert_id)
       values ($1, $2, $3, 'wifi', now(), now(), $4)`,
        [visitId, OLD_WAY, MEMBER, alertId],
      );
      expect((await row(db, OLD_WAY))?.reasons).toBe(8);
      await db.query(
        `insert into alerts(id, visit_id, store_id, customer_id, source, raised_at, expires_at, card)
       values ($1, $2, $3, $4, 'wifi', now(), now() + interval '30 minutes', '{}'::jsonb)`,
        [alertId, visitId, OLD_WAY, MEMBER],
      );
      expect((await row(db, OLD_WAY))?.reasons).toBe(12);
      // A sighting in the same transaction as another writer leaves the setting empty behind it.
      const after = await db.transaction(async (tx) => {
        await tx.query(
          `select opened from presence_sighting($1::uuid, $2::uuid, now(), 30, $3::uuid, 'wifi',
           $4::uuid, now() + interval '30 minutes', '{}'::jsonb)`,
          [OLD_WAY, MEMBER, newId(), newId()],
        );
        return tx.query<{ setting: string }>(
          `select coalesce(current_setting('shopguide.scope', true), '') as setting`,
        );
      });
      expect(after).toEqual([{ setting: '' }]);
    },
  );
});
