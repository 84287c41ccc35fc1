import { useEffect } from 'react';
import { useAppStore } from '../core/store';
import { useServices } from '../core/services';
import { watchQuery } from '../data/live';
import { guideById } from '../data/staff';

/**
 * Signs the current guide out when the synced staff list says they are deactivated (IT
 * deactivated a leaver; the hub pushes `staff:changed` and the engine pulls staff). The counter
 * goes back to the neutral sign-in screen: no previous screen, history or order draft stays behind
 * for the next person.
 */
export function useDeactivationSignOut(): void {
  const { db } = useServices();
  const guideId = useAppStore((s) => s.guide?.id ?? null);
  useEffect(() => {
    if (guideId === null) return;
    return watchQuery(() => guideById(db, guideId), {
      next: (current) => {
        // The hub never deletes a guide (orders and audit refer to them), it deactivates them:
        // only a row that says so signs out. A missing row means staff has not been pulled yet.
        if (current === undefined || current.active) return;
        const state = useAppStore.getState();
        if (state.guide?.id !== guideId) return;
        // signOut resets screen, history and draft in one update (renderer/core/session.ts)
        state.signOut();
      },
      error: () => undefined,
    });
  }, [db, guideId]);
}
