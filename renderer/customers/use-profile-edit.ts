import { useCallback } from 'react';
import { newId } from '../../shared/domain/ids';
import type { CustomerProfile, ProfileChanges } from '../../shared/protocol';
import { enqueueProfileEdit } from '../data/profile-edits';
import { useAppStore } from '../core/store';
import { useServices } from '../core/services';

export type SaveProfileEdit = (
  changes: ProfileChanges,
) => Promise<{ ok: true; profile: CustomerProfile } | { ok: false; message: string }>;

/**
 * Saves a profile edit (#16 item 7) by the signed-in guide at this counter's time: outbox first
 * (strict write), the cached profile at once (offline too), then a drain is asked for.
 */
export function useSaveProfileEdit(customerId: string): SaveProfileEdit {
  const { db, engine, now } = useServices();
  const guideId = useAppStore((s) => s.guide?.id ?? null);
  return useCallback(
    async (changes) => {
      if (!guideId) return { ok: false, message: 'no guide signed in' };
      const at = now();
      const result = await enqueueProfileEdit(
        db,
        { id: newId(), customerId, guideId, at: at.toISOString(), changes },
        at,
      );
      if (!result.ok) return { ok: false, message: result.error.message };
      void engine.requestDrain();
      const { initials: _initials, provisional: _provisional, ...profile } = result.value.customer;
      return { ok: true, profile };
    },
    [db, engine, now, guideId, customerId],
  );
}
