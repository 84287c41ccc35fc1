import { useCallback, useEffect, useMemo, useState } from 'react';
import { hubSearchQuery } from '../../shared/domain/hub-search';
import { looksLikeFullPhone } from '../../shared/domain/phone';
import type { CustomerProfile, CustomerSearchRequest } from '../../shared/protocol';
import { recordAudit } from '../data/audit';
import { customerByMemberCode, searchCustomers, type CustomerMatch } from '../data/customers';
import { memorySecretStore } from '../data/secret-store';
import { useServices } from './services';
import { useAppStore } from './store';
import { useIsOnline } from './use-online';
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

/** How long the search box must rest before the hub is asked (each ask counts against a limit). */
export const HUB_SEARCH_DELAY_MS = 600;

export type HubFallbackState = {
  /** members the hub found for `resultsFor` (now in this store's cache) */
  results: CustomerMatch[];
  resultsFor: string;
  /** the hub is being asked */
  asking: boolean;
  error: string | null;
};

const NO_HUB_ANSWER: HubFallbackState = { results: [], resultsFor: '', asking: false, error: null };

/**
 * The online fallback of the search box (issue #17): when the terminal is online, nothing in this
 * store's cache matched, and the text is something the hub may be asked for (a full phone, 尾号 +
 * name, a member code: `hubSearchQuery`), the hub's search is asked once the box has rested. The
 * members it finds are in this store's cache when the answer arrives (the engine pulls the feed
 * first), so the guide opens them as any other. Offline, nothing changes.
 */
export function useHubFallback(query: string, local: SearchState): HubFallbackState {
  const { engine } = useServices();
  const online = useIsOnline();
  const trimmed = query.trim();
  const settled = useDebounced(trimmed, HUB_SEARCH_DELAY_MS);
  const localEmpty =
    local.resultsFor === settled && !local.searching && !local.error && local.results.length === 0;
  const ask = online && localEmpty && settled === trimmed ? hubSearchQuery(settled) : null;
  const askKey = ask ? JSON.stringify(ask) : null;
  const [answer, setAnswer] = useState<{
    key: string;
    results: CustomerMatch[];
    error: string | null;
  } | null>(null);
  useEffect(() => {
    if (askKey === null) return;
    let live = true;
    const done = (results: CustomerMatch[], error: string | null) => {
      if (live) setAnswer({ key: askKey, results, error });
    };
    engine.searchHub(JSON.parse(askKey) as CustomerSearchRequest).then(
      (r) => (r.ok ? done(r.value.customers.map(summaryOf), null) : done([], r.error.message)),
      (e: unknown) => done([], errorMessage(e)),
    );
    return () => {
      live = false;
    };
  }, [engine, askKey]);
  if (askKey === null) return NO_HUB_ANSWER;
  if (answer?.key !== askKey)
    return { results: [], resultsFor: trimmed, asking: true, error: null };
  return { results: answer.results, resultsFor: trimmed, asking: false, error: answer.error };
}

const summaryOf = (profile: CustomerProfile): CustomerMatch => ({
  id: profile.id,
  name: profile.name,
  tier: profile.tier,
  phoneLast4: profile.phoneLast4,
  memberCode: profile.memberCode,
  provisional: false,
});
