import {
  followUpOutcome as followUpOutcomeSchema,
  visitOutcome as visitOutcomeSchema,
  type FollowUpItem,
  type FollowUpOutcomeCode,
  type NoPurchaseReason,
} from '../../shared/protocol';
import { err, ok, type Result } from '../../shared/result';
import {
  writeStrict,
  type OutboxFollowUpOutcome,
  type OutboxVisitOutcome,
  type TerminalDb,
} from './database';
import type { CachedCustomer } from './customer-rows';
import { getCustomer } from './customers';
import { announceQueued, type CommandError } from './outbox';
import { sealOutboxEntry } from './outbox-rows';
import { applyInCursorOrder, type FeedPageRows } from './feeds';

/**
 * The store's follow-up tasks (跟进, #15 item 3) as this terminal keeps them: the open ones from
 * the hub's per-store feed. A task done here waits for the hub with its outcome in the outbox
 * and is hidden at once (`doneHere`); the feed then brings it back closed, which removes it —
 * on this terminal and every other terminal of the store.
 */
export type FollowUpRow = FollowUpItem & {
  /** the outcome recorded on this terminal, until the hub's feed says the task is closed */
  doneHere: FollowUpOutcomeCode | null;
};

/** A visit outcome recorded here (#15 item 5): what the arrival card shows. */
export type VisitOutcomeRow = {
  alertId: string;
  outcomeId: string;
  reason: NoPurchaseReason;
  at: string;
};

/**
 * Writes a follow-up feed page and its cursor in ONE transaction (as data/feeds.ts does for the
 * other feeds): open tasks are put, closed ones deleted. A page whose starting cursor is no longer
 * ours is dropped. Returns whether the page was applied.
 */
export async function applyFollowUpPage(
  db: TerminalDb,
  askedAfter: string,
  page: FeedPageRows<FollowUpItem>,
  now: string,
): Promise<boolean> {
  return applyInCursorOrder(
    db,
    'followUps',
    askedAfter,
    page,
    [db.followUps, db.syncState, db.feedRejects],
    async () => {
      const open = page.items.filter((i) => i.status === 'open');
      const closed = page.items.filter((i) => i.status !== 'open').map((i) => i.id);
      const kept = await db.followUps.bulkGet(open.map((i) => i.id));
      await db.followUps.bulkPut(
        open.map((item, i) => ({ ...item, doneHere: kept[i]?.doneHere ?? null })),
      );
      if (closed.length > 0) await db.followUps.bulkDelete(closed);
    },
    now,
  );
}

/** Open tasks not yet done here, earliest due first (the screen picks what is due). */
export async function openFollowUps(db: TerminalDb): Promise<FollowUpRow[]> {
  const rows = await db.followUps.orderBy('dueAt').toArray();
  return rows.filter((r) => r.doneHere === null && r.status === 'open');
}

/** One task, or undefined. */
export const followUpById = (db: TerminalDb, id: string): Promise<FollowUpRow | undefined> =>
  db.followUps.get(id);

/** Visit outcomes recorded here for these alerts (the arrival cards on screen). */
export async function visitOutcomesFor(
  db: TerminalDb,
  alertIds: readonly string[],
): Promise<Map<string, VisitOutcomeRow>> {
  const rows = await db.visitOutcomes.bulkGet([...alertIds]);
  return new Map(rows.flatMap((r) => (r ? [[r.alertId, r]] : [])));
}

const queued = <K extends string>(kind: K, id: string, now: Date) => ({
  id,
  kind,
  status: 'pending' as const,
  createdAt: now.toISOString(),
  attempts: 0,
  lastAttemptAt: null,
  syncedAt: null,
  reason: null,
});

/**
 * Records why a claimed customer left without buying (#15 item 5): into the outbox with strict
 * durability (the hub deduplicates on the id), and the reason beside the alert for its card. One
 * per alert here: a second tap answers the first entry.
 */
export async function enqueueVisitOutcome(
  db: TerminalDb,
  input: unknown,
  now: Date = new Date(),
): Promise<Result<OutboxVisitOutcome, CommandError>> {
  const parsed = visitOutcomeSchema.safeParse(input);
  if (!parsed.success) return err({ code: 'invalid_input', message: parsed.error.message });
  const outcome = parsed.data;
  const recorded = await db.visitOutcomes.get(outcome.alertId);
  const entry: OutboxVisitOutcome = {
    ...queued('visit_outcome' as const, recorded?.outcomeId ?? outcome.id, now),
    visitOutcome: outcome,
  };
  if (recorded) return ok(entry);
  await writeStrict(db, [{ table: 'outbox', rows: [await sealOutboxEntry(db.sealer, entry)] }]);
  await db.visitOutcomes.put({
    alertId: outcome.alertId,
    outcomeId: outcome.id,
    reason: outcome.reason,
    at: outcome.at,
  });
  announceQueued(db);
  return ok(entry);
}

/**
 * Records how a follow-up task ended (#15 item 3): into the outbox (strict), and the task leaves
 * this terminal's list at once. The hub closes it and its feed removes it everywhere.
 */
export async function enqueueFollowUpOutcome(
  db: TerminalDb,
  input: unknown,
  now: Date = new Date(),
): Promise<Result<OutboxFollowUpOutcome, CommandError>> {
  const parsed = followUpOutcomeSchema.safeParse(input);
  if (!parsed.success) return err({ code: 'invalid_input', message: parsed.error.message });
  const outcome = parsed.data;
  const task = await db.followUps.get(outcome.taskId);
  if (task?.doneHere) return err({ code: 'invalid_input', message: 'task already done here' });
  const entry: OutboxFollowUpOutcome = {
    ...queued('follow_up_outcome' as const, outcome.id, now),
    followUpOutcome: outcome,
  };
  await writeStrict(db, [{ table: 'outbox', rows: [await sealOutboxEntry(db.sealer, entry)] }]);
  await db.followUps
    .where('id')
    .equals(outcome.taskId)
    .modify((row) => {
      row.doneHere = outcome.outcome;
    });
  announceQueued(db);
  return ok(entry);
}

/** A task as the 跟进 list shows it: with the customer's name and tier from the cache. */
export type FollowUpListItem = FollowUpRow & {
  customer: { name: string; tier: CachedCustomer['tier'] } | null;
};

/**
 * Open tasks due by `now` (due and overdue), earliest due first, each with its customer from the
 * cache (following a merge to the customer it became). The screen orders them by assignee.
 */
export async function dueFollowUps(db: TerminalDb, now: Date): Promise<FollowUpListItem[]> {
  const due = (await openFollowUps(db)).filter((r) => Date.parse(r.dueAt) <= now.getTime());
  const out: FollowUpListItem[] = [];
  for (const row of due) {
    const customer = await getCustomer(db, row.customerId);
    out.push({ ...row, customer: customer ? { name: customer.name, tier: customer.tier } : null });
  }
  return out;
}
