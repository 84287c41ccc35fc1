import { useCallback, useEffect, useMemo, useState } from 'react';
import type { CustomerRegistration, ProductItem } from '../../shared/protocol';
import { newId } from '../../shared/domain/ids';
import { looksLikeFullPhone } from '../../shared/domain/phone';
import { recordAudit } from '../data/audit';
import { productsBySku } from '../data/catalog';
import {
  customerByMemberCode,
  customerByPhone,
  openCustomerProfile,
  searchCustomers,
  type CustomerMatch,
} from '../data/customers';
import { enqueueRegistration } from '../data/outbox';
import { memorySecretStore } from '../data/secret-store';
import { useAppStore } from '../core/store';
import { useServices } from '../core/services';
import {
  errorMessage,
  useAsync,
  useDebounced,
  useOnline,
  type AsyncState,
} from '../core/use-async';

/** The data layer asks a SecretStore for the phone-hash key; the services already hold it. */
function useKeyStore() {
  const { phoneHashKey } = useServices();
  return useMemo(() => memorySecretStore({ phoneHashKey }), [phoneHashKey]);
}

export function useIsOnline(): boolean {
  return useOnline(useServices());
}

/** Results shown at most; a longer list means the guide should type more. */
export const SEARCH_LIMIT = 30;

export type SearchState = {
  /** results of the last finished search, kept while the next one runs (no flicker) */
  results: CustomerMatch[];
  /** the query `results` belong to */
  resultsFor: string;
  /** a newer query is being searched */
  searching: boolean;
  error: string | null;
};

/** Results as the guide types: lightly debounced so a scan or fast typing runs one query. */
export function useCustomerSearch(query: string, delayMs = 120): SearchState {
  const { db, now } = useServices();
  const guideId = useAppStore((s) => s.guide?.id ?? null);
  const secrets = useKeyStore();
  const trimmed = query.trim();
  const settled = useDebounced(trimmed, delayMs);
  const [done, setDone] = useState<{
    query: string;
    results: CustomerMatch[];
    error: string | null;
  }>({ query: '', results: [], error: null });
  useEffect(() => {
    let live = true;
    searchCustomers(db, secrets, { query: settled, limit: SEARCH_LIMIT }).then(
      (results) => {
        if (live) setDone({ query: settled, results, error: null });
        // Who looked up which phone number is audited (the number itself never leaves the PC):
        // the customer it found, or none.
        if (looksLikeFullPhone(settled))
          void recordAudit(db, {
            action: 'phone_lookup',
            guideId,
            customerId: results.length === 1 ? results[0]!.id : null,
            at: now(),
          }).catch(() => undefined); // the search answered; a lost audit row must not hide it
      },
      (e: unknown) => live && setDone({ query: settled, results: [], error: errorMessage(e) }),
    );
    return () => {
      live = false;
    };
  }, [db, secrets, settled, guideId, now]);
  return {
    results: done.results,
    resultsFor: done.query,
    searching: done.query !== trimmed,
    error: done.error,
  };
}

/** Finds the customer a scanned member code (or a typed full code) belongs to. */
export function useMemberCodeLookup(): (code: string) => Promise<CustomerMatch | undefined> {
  const { db } = useServices();
  return useCallback((code: string) => customerByMemberCode(db, code), [db]);
}

/** Opens a profile for the signed-in guide; opening writes the audit entry (once per open). */
export function useCustomerProfile(customerId: string) {
  const { db, now } = useServices();
  const guideId = useAppStore((s) => s.guide?.id ?? null);
  const load = useCallback(
    () => openCustomerProfile(db, customerId, guideId, now()),
    [db, customerId, guideId, now],
  );
  return useAsync(load);
}

/** Cached catalog rows for a set of SKUs (stock here), keyed by SKU. */
export function useProductsBySku(skus: readonly string[]): AsyncState<Map<string, ProductItem>> {
  const { db } = useServices();
  const key = [...new Set(skus)].sort().join('\n');
  const load = useCallback(() => productsBySku(db, key === '' ? [] : key.split('\n')), [db, key]);
  return useAsync(load);
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
