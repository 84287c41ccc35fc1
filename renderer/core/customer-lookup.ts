import { useCallback, useEffect, useMemo, useState } from 'react';
import { looksLikeFullPhone } from '../../shared/domain/phone';
import { recordAudit } from '../data/audit';
import { customerByMemberCode, searchCustomers, type CustomerMatch } from '../data/customers';
import { memorySecretStore } from '../data/secret-store';
import { useServices } from './services';
import { useAppStore } from './store';
import { errorMessage, useDebounced } from './use-async';

/*
 * Finding a customer, as the lookup screen and the order screen's customer picker both do: the
 * search as the guide types (with its phone-lookup audit entry) and the member-code scan. Shared
 * by two features, so it lives here rather than in either (features never import each other).
 */

/** The data layer asks a SecretStore for the phone-hash key; the services already hold it. */
export function useKeyStore() {
  const { phoneHashKey } = useServices();
  return useMemo(() => memorySecretStore({ phoneHashKey }), [phoneHashKey]);
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
