import {
  noticeHash,
  type NoticeLocale,
  type NoticeVersion,
} from '../../shared/domain/marketing-notice';
import type { ConsentChange, ItemResult } from '../../shared/protocol';
import { recordAudit } from '../audit/service';
import type { TerminalPrincipal } from '../auth/guards';
import { touchCustomers } from '../bindings/service';
import { resolveLiveCustomers } from '../customers/merge-chain';
import { changeFeedTransaction, type Db, type Queryable } from '../db/database';
import {
  answerInOrder,
  firstById,
  idList,
  MAX_CLOCK_AHEAD_MS,
  refuse,
  storeGuides,
} from '../sync/terminal-batch';

export type ConsentIngest = {
  results: ItemResult[];
  /** the customer feed's new head when a member's state changed (for `customers:changed`) */
  cursor: string | null;
};

/**
 * Marketing consents given or withdrawn at a terminal (#15 item 4), exactly once: each change is
 * an event under the terminal's id (a resend answers `duplicate` and writes nothing). The
 * member's current state is the latest change by the terminal's time, so a change that was
 * offline for a day does not undo a later one made at another counter. In one transaction per
 * call: the events, the state, the customer's feed row (every terminal learns it) and one audit
 * entry per change (`marketing_consent_granted|withdrawn`: store, terminal, guide, customer).
 * A change for a merged-away member is recorded for the member it became.
 */
export async function ingestConsentChanges(
  db: Db,
  terminal: TerminalPrincipal,
  changes: readonly ConsentChange[],
  now: Date = new Date(),
): Promise<ConsentIngest> {
  const batch = firstById(changes);
  const expected = new Map<string, string>();
  for (const c of batch) {
    const key = `${c.noticeVersion}/${c.noticeLocale}`;
    if (!expected.has(key))
      expected.set(
        key,
        await noticeHash(c.noticeVersion as NoticeVersion, c.noticeLocale as NoticeLocale),
      );
  }

  const outcome = new Map<string, ItemResult>();
  const cursor = await changeFeedTransaction(db, async (tx) => {
    const [existing, live, guides] = await Promise.all([
      tx.query<{ id: string }>(
        `select id::text as id from marketing_consent_events
          where id in (select jsonb_array_elements_text($1::jsonb)::uuid)`,
        [idList(batch.map((c) => c.id))],
      ),
      resolveLiveCustomers(
        tx,
        batch.map((c) => c.customerId),
      ),
      storeGuides(
        tx,
        terminal.storeId,
        batch.map((c) => c.guideId),
      ),
    ]);
    const stored = new Set(existing.map((r) => r.id));
    const rows: (ConsentChange & { liveId: string })[] = [];
    for (const c of batch) {
      if (stored.has(c.id)) {
        outcome.set(c.id, { id: c.id, status: 'duplicate' });
        continue;
      }
      const liveId = live.get(c.customerId);
      if (!liveId) {
        outcome.set(
          c.id,
          refuse(c.id, 'customer_gone', 'the member is unknown or was erased', [c.customerId]),
        );
        continue;
      }
      if (!guides.has(c.guideId)) {
        outcome.set(
          c.id,
          refuse(c.id, 'guide_inactive', `guide ${c.guideId} is not an active guide of this store`),
        );
        continue;
      }
      if (expected.get(`${c.noticeVersion}/${c.noticeLocale}`) !== c.noticeHash) {
        outcome.set(
          c.id,
          refuse(c.id, 'invalid_input', 'the notice hash is not that of the notice version shown'),
        );
        continue;
      }
      if (Date.parse(c.at) > now.getTime() + MAX_CLOCK_AHEAD_MS) {
        outcome.set(
          c.id,
          refuse(c.id, 'implausible_time', "the change is dated ahead of the hub's clock"),
        );
        continue;
      }
      rows.push({ ...c, liveId });
    }
    if (rows.length === 0) return null;

    const inserted = await tx.query<{ id: string }>(
      `insert into marketing_consent_events (id, customer_id, granted, notice_version,
         notice_locale, notice_hash, store_id, terminal_id, guide_id, at)
       select x.id, x.customer_id, x.granted, x.notice_version, x.notice_locale, x.notice_hash,
              $2::uuid, $3::uuid, x.guide_id, x.at
         from jsonb_to_recordset($1::jsonb) as x(id uuid, customer_id uuid, granted boolean,
              notice_version text, notice_locale text, notice_hash text, guide_id uuid,
              at timestamptz)
        order by x.id
       on conflict do nothing
       returning id::text as id`,
      [
        JSON.stringify(
          rows.map((r) => ({
            id: r.id,
            customer_id: r.liveId,
            granted: r.granted,
            notice_version: r.noticeVersion,
            notice_locale: r.noticeLocale,
            notice_hash: r.noticeHash,
            guide_id: r.guideId,
            at: new Date(r.at).toISOString(),
          })),
        ),
        terminal.storeId,
        terminal.terminalId,
      ],
    );
    const accepted = new Set(inserted.map((r) => r.id));
    const changed = new Set<string>();
    // In the terminal's time order, so the latest change wins also within one batch.
    const ordered = rows
      .filter((r) => accepted.has(r.id))
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.id.localeCompare(b.id));
    for (const r of rows)
      outcome.set(r.id, { id: r.id, status: accepted.has(r.id) ? 'accepted' : 'duplicate' });
    for (const r of ordered) {
      if (await advanceState(tx, r.liveId, r)) changed.add(r.liveId);
      await recordAudit(tx, {
        action: r.granted ? 'marketing_consent_granted' : 'marketing_consent_withdrawn',
        source: 'hub',
        storeId: terminal.storeId,
        terminalId: terminal.terminalId,
        guideId: r.guideId,
        customerId: r.liveId,
        at: new Date(r.at),
      });
    }
    if (changed.size === 0) return null;
    await tx.query(
      `update customers c set consent_marketing = m.granted
         from marketing_consents m where m.customer_id = c.id and c.id = any($1::uuid[])`,
      [[...changed]],
    );
    return touchCustomers(tx, [...changed]);
  });
  return { results: answerInOrder(changes, outcome), cursor };
}

/**
 * Makes this change the member's current state unless a later one (by the terminal's time, then
 * id) is already there. Returns whether the state row changed.
 */
async function advanceState(
  tx: Queryable,
  customerId: string,
  change: Pick<ConsentChange, 'id' | 'granted' | 'noticeVersion' | 'at'>,
): Promise<boolean> {
  const rows = await tx.query<{ customer_id: string }>(
    `insert into marketing_consents (customer_id, granted, event_id, notice_version, at)
     values ($1, $2, $3, $4, $5)
     on conflict (customer_id) do update set granted = excluded.granted,
       event_id = excluded.event_id, notice_version = excluded.notice_version, at = excluded.at,
       updated_at = now()
     where (marketing_consents.at, marketing_consents.event_id) < (excluded.at, excluded.event_id)
     returning customer_id::text as customer_id`,
    [
      customerId,
      change.granted,
      change.id,
      change.noticeVersion,
      new Date(change.at).toISOString(),
    ],
  );
  return rows.length > 0;
}

/**
 * A merge (server/customers/merge.ts): the duplicate's consent trail moves to the survivor, whose
 * current state is the later of the two; the survivor's flag follows it.
 */
export async function moveConsents(
  tx: Queryable,
  sourceId: string,
  targetId: string,
): Promise<void> {
  await tx.query('update marketing_consent_events set customer_id = $2 where customer_id = $1', [
    sourceId,
    targetId,
  ]);
  await tx.query(
    `insert into marketing_consents (customer_id, granted, event_id, notice_version, at)
     select $2, granted, event_id, notice_version, at from marketing_consents where customer_id = $1
     on conflict (customer_id) do update set granted = excluded.granted,
       event_id = excluded.event_id, notice_version = excluded.notice_version, at = excluded.at,
       updated_at = now()
     where (marketing_consents.at, marketing_consents.event_id) < (excluded.at, excluded.event_id)`,
    [sourceId, targetId],
  );
  await tx.query('delete from marketing_consents where customer_id = $1', [sourceId]);
  await tx.query(
    `update customers c set consent_marketing = m.granted
       from marketing_consents m where m.customer_id = c.id and c.id = $1`,
    [targetId],
  );
}

/** Erasure (server/customers/erase.ts): the consent trail and state of these customers go. */
export async function eraseConsents(tx: Queryable, customerIds: readonly string[]): Promise<void> {
  await tx.query('delete from marketing_consents where customer_id = any($1::uuid[])', [
    [...customerIds],
  ]);
  await tx.query('delete from marketing_consent_events where customer_id = any($1::uuid[])', [
    [...customerIds],
  ]);
}
