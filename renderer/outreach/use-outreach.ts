import { useCallback } from 'react';
import type { CustomerProfile, FollowUpItem } from '../../shared/protocol';
import { useServices } from '../core/services';
import { useAppStore } from '../core/store';
import { useAsync, type AsyncState } from '../core/use-async';
import { openCustomerProfile } from '../data/customers';
import { followUpById } from '../data/follow-ups';

export type OutreachSubject = {
  customer: (CustomerProfile & { provisional: boolean }) | null;
  task: FollowUpItem | null;
};

/**
 * The member the message is for (opening it is audited like the 360) and, from the 跟进 list,
 * the task it answers (its wish-listed item goes first).
 */
export function useOutreachSubject(
  customerId: string,
  taskId: string | undefined,
): AsyncState<OutreachSubject> {
  const { db, now } = useServices();
  const guideId = useAppStore((s) => s.guide?.id ?? null);
  const load = useCallback(async (): Promise<OutreachSubject> => {
    const [customer, task] = await Promise.all([
      openCustomerProfile(db, customerId, guideId, now()),
      taskId ? followUpById(db, taskId) : Promise.resolve(undefined),
    ]);
    return { customer, task: task ?? null };
  }, [db, customerId, taskId, guideId, now]);
  return useAsync(load);
}

/** Puts the message on the clipboard through the platform bridge. */
export function useCopyText(): (text: string) => Promise<boolean> {
  const { bridge } = useServices();
  return useCallback(async (text: string) => (await bridge.copyText(text)).ok, [bridge]);
}
