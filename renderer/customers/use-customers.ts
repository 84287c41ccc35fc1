import { useCallback } from 'react';
import type { CustomerRegistration } from '../../shared/protocol';
import { newId } from '../../shared/domain/ids';
import {
  cachedProfile,
  customerByPhone,
  openCustomerProfile,
  type CustomerMatch,
} from '../data/customers';
import { enqueueRegistration } from '../data/outbox';
import { useKeyStore } from '../core/customer-lookup';
import { useAppStore } from '../core/store';
import { useServices } from '../core/services';
import { useAsync, useDebounced, useLiveQuery, type AsyncState } from '../core/use-async';

/**
 * Opens a profile for the signed-in guide — opening writes the audit entry (once per open) — then
 * follows the cache: when a newer version lands (another counter's edit coming back through the
 * customer feed, a write from another window of this terminal) the open 360 shows it at once.
 * Dexie's live query re-reads on those writes; nothing polls.
 */
export function useCustomerProfile(customerId: string) {
  const { db, now } = useServices();
  const guideId = useAppStore((s) => s.guide?.id ?? null);
  const load = useCallback(
    () => openCustomerProfile(db, customerId, guideId, now()),
    [db, customerId, guideId, now],
  );
  const opened = useAsync(load);
  const follow = useCallback(() => cachedProfile(db, customerId), [db, customerId]);
  const live = useLiveQuery(follow);
  // The open decides what shows first (and its error); the live read takes over once it answers.
  return opened.status !== 'ready' || live.status === 'loading' ? opened : live;
}

/** The cached customer already holding this phone number (registration's duplicate warning). */
export function useDuplicatePhone(phone: string): AsyncState<CustomerMatch | undefined> {
  const { db, phoneHashKey } = useServices();
  const settled = useDebounced(phone, 150);
  const load = useCallback(
    () => customerByPhone(db, phoneHashKey, settled),
    [db, phoneHashKey, settled],
  );
  return useAsync(load);
}

export type RegistrationInput = Omit<CustomerRegistration, 'id' | 'guideId' | 'createdAt'>;

/** Saves a registration to the outbox (strict write); the provisional customer is searchable at once. */
export function useRegisterCustomer() {
  const { db, now, engine } = useServices();
  const secrets = useKeyStore();
  const guideId = useAppStore((s) => s.guide?.id);
  return useCallback(
    async (input: RegistrationInput) => {
      const at = now();
      const result = await enqueueRegistration(
        db,
        secrets,
        {
          ...input,
          id: newId(),
          ...(guideId ? { guideId } : {}),
          createdAt: at.toISOString(),
        },
        at,
      );
      // Saved first; online, send it now so the hub's canonical customer comes back quickly.
      if (result.ok && engine.status.get().online)
        void engine.requestDrain().catch(() => undefined);
      return result;
    },
    [db, secrets, guideId, now, engine],
  );
}
