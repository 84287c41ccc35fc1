import { useCallback } from 'react';
import { newId } from '../../shared/domain/ids';
import type { FollowUpOutcomeCode } from '../../shared/protocol';
import { useServices } from '../core/services';
import { useAppStore } from '../core/store';
import { useLiveQuery, type AsyncState } from '../core/use-async';
import { dueFollowUps, enqueueFollowUpOutcome, type FollowUpListItem } from '../data/follow-ups';

export type FollowUpGroups = {
  mine: FollowUpListItem[];
  pool: FollowUpListItem[];
  /** other guides' tasks: shown to a manager only */
  others: FollowUpListItem[];
};

/** Due and overdue tasks, mine first, then the store pool (and, for a manager, the rest). */
export function groupFollowUps(
  items: readonly FollowUpListItem[],
  guideId: string | null,
  isManager: boolean,
): FollowUpGroups {
  return {
    mine: items.filter((i) => guideId !== null && i.guideId === guideId),
    pool: items.filter((i) => i.guideId === null),
    others: isManager ? items.filter((i) => i.guideId !== null && i.guideId !== guideId) : [],
  };
}

/** The list, live: a task synced in, done here, or closed by the feed updates it at once. */
export function useDueFollowUps(): AsyncState<FollowUpListItem[]> {
  const { db, now } = useServices();
  const query = useCallback(() => dueFollowUps(db, now()), [db, now]);
  return useLiveQuery(query);
}

/** Records a task's outcome offline-first (outbox, strict write), then asks for a drain. */
export function useRecordFollowUpOutcome() {
  const { db, engine, now } = useServices();
  const guideId = useAppStore((s) => s.guide?.id ?? null);
  return useCallback(
    async (taskId: string, outcome: FollowUpOutcomeCode, note: string) => {
      if (!guideId) return { ok: false as const, message: 'no guide signed in' };
      const trimmed = note.trim();
      const result = await enqueueFollowUpOutcome(
        db,
        {
          id: newId(),
          taskId,
          guideId,
          outcome,
          ...(trimmed ? { note: trimmed } : {}),
          at: now().toISOString(),
        },
        now(),
      );
      if (!result.ok) return { ok: false as const, message: result.error.message };
      void engine.requestDrain();
      return { ok: true as const };
    },
    [db, engine, now, guideId],
  );
}
