import { useCallback } from 'react';
import { newId } from '../../shared/domain/ids';
import type { NoPurchaseReason } from '../../shared/protocol';
import { useServices } from '../core/services';
import { useAppStore } from '../core/store';
import { useLiveQuery, type AsyncState } from '../core/use-async';
import { enqueueVisitOutcome, visitOutcomesFor, type VisitOutcomeRow } from '../data/follow-ups';

/** The no-purchase reason recorded here for this arrival, live (undefined: none yet). */
export function useRecordedVisitOutcome(alertId: string): AsyncState<VisitOutcomeRow | undefined> {
  const { db } = useServices();
  const query = useCallback(
    async () => (await visitOutcomesFor(db, [alertId])).get(alertId),
    [db, alertId],
  );
  return useLiveQuery(query);
}

/**
 * Records why a claimed customer left without buying: outbox first (strict write, exactly once by
 * its id), then a drain is asked for. Works offline.
 */
export function useRecordVisitOutcome() {
  const { db, engine, now } = useServices();
  const guideId = useAppStore((s) => s.guide?.id ?? null);
  return useCallback(
    async (alertId: string, reason: NoPurchaseReason, note = '') => {
      if (!guideId) return { ok: false as const, message: 'no guide signed in' };
      const trimmed = note.trim();
      const result = await enqueueVisitOutcome(
        db,
        {
          id: newId(),
          alertId,
          guideId,
          reason,
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
