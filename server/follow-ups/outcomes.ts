import type { FollowUpOutcome, ItemResult, VisitOutcome } from '../../shared/protocol';
import type { TerminalPrincipal } from '../auth/guards';
import type { Db } from '../db/database';
import { recordFollowUpContact } from './binding-link';
import { generateIn } from './generate';
import { lockFollowUps } from './tasks';
import { answerInOrder, firstById, idList, storeGuides } from '../sync/terminal-batch';

const rejected = (id: string, reason: string): ItemResult => ({ id, status: 'rejected', reason });

export type OutcomeIngest = { results: ItemResult[]; storesChanged: Set<string> };

/**
 * Why claimed customers left without buying (#15 item 5). Each outcome names the alert of the
 * visit; the visit must be this terminal's store's, and the guide the one who claimed it or a
 * manager of the store. One per visit: a resend (same id) or a second outcome for the visit is a
 * duplicate. A visit-without-purchase follow-up is generated in the same transaction.
 */
export async function ingestVisitOutcomes(
  db: Db,
  terminal: TerminalPrincipal,
  outcomes: readonly VisitOutcome[],
  options: { now: Date; afterPurchaseDays: number },
): Promise<OutcomeIngest> {
  const outcome = new Map<string, ItemResult>();
  const batch = firstById(outcomes);

  return db.transaction(async (tx) => {
    // Tasks are written below: the follow-up lock comes first, as in every task writer.
    await lockFollowUps(tx);
    const [existing, alerts, guides] = await Promise.all([
      tx.query<{ id: string; visit_id: string }>(
        `select id::text as id, visit_id::text as visit_id from visit_outcomes
          where id in (select jsonb_array_elements_text($1::jsonb)::uuid)`,
        [idList(batch.map((o) => o.id))],
      ),
      tx.query<{
        id: string;
        visit_id: string;
        store_id: string;
        customer_id: string;
        claimed_by: string | null;
        converted: boolean;
        has_outcome: boolean;
      }>(
        `select a.id::text as id, a.visit_id::text as visit_id, a.store_id::text as store_id,
                a.customer_id::text as customer_id, a.claimed_by::text as claimed_by,
                v.converted_at is not null as converted,
                exists (select 1 from visit_outcomes vo where vo.visit_id = a.visit_id) as has_outcome
           from alerts a join visits v on v.id = a.visit_id
          where a.id in (select jsonb_array_elements_text($1::jsonb)::uuid)`,
        [idList(batch.map((o) => o.alertId))],
      ),
      storeGuides(
        tx,
        terminal.storeId,
        batch.map((o) => o.guideId),
      ),
    ]);
    const stored = new Set(existing.map((r) => r.id));
    const byAlert = new Map(alerts.map((a) => [a.id, a]));
    const rows: object[] = [];
    const visitsTaken = new Set<string>();
    for (const o of batch) {
      if (stored.has(o.id)) {
        outcome.set(o.id, { id: o.id, status: 'duplicate' });
        continue;
      }
      const alert = byAlert.get(o.alertId);
      if (!alert || alert.store_id !== terminal.storeId) {
        outcome.set(o.id, rejected(o.id, `alert ${o.alertId} is not an alert of this store`));
        continue;
      }
      const guide = guides.get(o.guideId);
      if (!guide) {
        outcome.set(
          o.id,
          rejected(o.id, `guide ${o.guideId} is not an active guide of this store`),
        );
        continue;
      }
      if (alert.claimed_by !== o.guideId && guide.role !== 'manager') {
        outcome.set(o.id, rejected(o.id, 'only the guide who claimed the customer or a manager'));
        continue;
      }
      if (alert.converted) {
        outcome.set(o.id, rejected(o.id, 'the visit ended in a purchase'));
        continue;
      }
      if (alert.has_outcome || visitsTaken.has(alert.visit_id)) {
        // One outcome per visit: the first one recorded stands.
        outcome.set(o.id, { id: o.id, status: 'duplicate', reason: 'the visit has an outcome' });
        continue;
      }
      visitsTaken.add(alert.visit_id);
      rows.push({
        id: o.id,
        visit_id: alert.visit_id,
        alert_id: alert.id,
        store_id: terminal.storeId,
        customer_id: alert.customer_id,
        guide_id: o.guideId,
        terminal_id: terminal.terminalId,
        reason: o.reason,
        note: o.note ?? null,
        at: new Date(o.at).toISOString(),
      });
    }
    let storesChanged = new Set<string>();
    if (rows.length > 0) {
      const inserted = await tx.query<{ id: string; visit_id: string }>(
        `insert into visit_outcomes (id, visit_id, alert_id, store_id, customer_id, guide_id,
                                     terminal_id, reason, note, at)
         select x.id, x.visit_id, x.alert_id, x.store_id, x.customer_id, x.guide_id,
                x.terminal_id, x.reason, x.note, x.at
           from jsonb_to_recordset($1::jsonb) as x(id uuid, visit_id uuid, alert_id uuid,
                store_id uuid, customer_id uuid, guide_id uuid, terminal_id uuid, reason text,
                note text, at timestamptz)
          order by x.id
         on conflict do nothing
         returning id::text as id, visit_id::text as visit_id`,
        [JSON.stringify(rows)],
      );
      const accepted = new Set(inserted.map((r) => r.id));
      for (const row of rows as { id: string }[])
        outcome.set(
          row.id,
          accepted.has(row.id)
            ? { id: row.id, status: 'accepted' }
            : { id: row.id, status: 'duplicate' },
        );
      if (inserted.length > 0)
        storesChanged = await generateIn(tx, {
          ...options,
          visitIds: inserted.map((r) => r.visit_id),
        });
    }
    return { results: answerInOrder(outcomes, outcome), storesChanged };
  });
}

/**
 * How follow-up tasks ended (#15 item 3). The task must be this store's; the guide its assignee,
 * anyone of the store for a pool task, or a manager. The first outcome closes the task; a resend
 * or a later outcome for a closed task is a duplicate. A closed task moves on the store's feed,
 * so it leaves every terminal's list.
 */
export async function ingestFollowUpOutcomes(
  db: Db,
  terminal: TerminalPrincipal,
  outcomes: readonly FollowUpOutcome[],
): Promise<OutcomeIngest> {
  const outcome = new Map<string, ItemResult>();
  const batch = firstById(outcomes);

  return db.transaction(async (tx) => {
    await lockFollowUps(tx);
    const [tasks, guides] = await Promise.all([
      tx.query<{
        id: string;
        store_id: string;
        customer_id: string;
        guide_id: string | null;
        status: string;
        outcome_id: string | null;
      }>(
        `select id::text as id, store_id::text as store_id, customer_id::text as customer_id,
                guide_id::text as guide_id, status, outcome_id::text as outcome_id
           from follow_up_tasks
          where id in (select jsonb_array_elements_text($1::jsonb)::uuid)
          for update`,
        [idList(batch.map((o) => o.taskId))],
      ),
      storeGuides(
        tx,
        terminal.storeId,
        batch.map((o) => o.guideId),
      ),
    ]);
    const byId = new Map(tasks.map((t) => [t.id, t]));
    const doneOutcomeIds = new Set(tasks.flatMap((t) => (t.outcome_id ? [t.outcome_id] : [])));
    const closing: { o: FollowUpOutcome; customerId: string }[] = [];
    const closed = new Set<string>();
    for (const o of batch) {
      if (doneOutcomeIds.has(o.id)) {
        outcome.set(o.id, { id: o.id, status: 'duplicate' });
        continue;
      }
      const task = byId.get(o.taskId);
      if (!task || task.store_id !== terminal.storeId) {
        outcome.set(o.id, rejected(o.id, `task ${o.taskId} is not a task of this store`));
        continue;
      }
      const guide = guides.get(o.guideId);
      if (!guide) {
        outcome.set(
          o.id,
          rejected(o.id, `guide ${o.guideId} is not an active guide of this store`),
        );
        continue;
      }
      if (task.guide_id !== null && task.guide_id !== o.guideId && guide.role !== 'manager') {
        outcome.set(o.id, rejected(o.id, 'the task is another guide’s'));
        continue;
      }
      if (task.status !== 'open' || closed.has(task.id)) {
        outcome.set(o.id, { id: o.id, status: 'duplicate', reason: 'the task is already closed' });
        continue;
      }
      closed.add(task.id);
      closing.push({ o, customerId: task.customer_id });
      outcome.set(o.id, { id: o.id, status: 'accepted' });
    }
    const storesChanged = new Set<string>();
    // Task id order: a fixed order of row locks (the follow-up lock already serialises writers).
    closing.sort((a, b) => a.o.taskId.localeCompare(b.o.taskId));
    for (const { o, customerId } of closing) {
      await tx.query(
        `update follow_up_tasks
            set status = 'done', seq = nextval('follow_up_seq'), outcome_id = $2, outcome = $3,
                note = $4, outcome_guide_id = $5, outcome_terminal_id = $6, done_at = $7
          where id = $1`,
        [
          o.taskId,
          o.id,
          o.outcome,
          o.note ?? null,
          o.guideId,
          terminal.terminalId,
          new Date(o.at).toISOString(),
        ],
      );
      // Contact with the customer, for the binding's expiry (see binding-link.ts).
      await recordFollowUpContact(tx, { customerId, guideId: o.guideId, at: new Date(o.at) });
      storesChanged.add(terminal.storeId);
    }
    return { results: answerInOrder(outcomes, outcome), storesChanged };
  });
}
