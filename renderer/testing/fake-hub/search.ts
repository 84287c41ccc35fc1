import { normalisePhone } from '../../../shared/domain/phone';
import {
  MAX_SEARCH_RESULTS,
  type CustomerProfile,
  type CustomerSearchRequest,
  type CustomerSearchResponse,
} from '../../../shared/protocol';
import { ok } from '../../../shared/result';
import type { HubResult } from '../../sync/hub-client';
import type { FakeHubState } from './state';

/** A member the fake hub knows outside this store's scope (not in its feed), with their phone. */
export type ElsewhereMember = { profile: CustomerProfile; phone: string | null };

/** `POST /customers/search` as the hub answers it: exact matches only, at most 5. */
export function matchElsewhere(
  members: Iterable<ElsewhereMember>,
  query: CustomerSearchRequest,
): CustomerProfile[] {
  const e164 = query.by === 'phone' ? (normalisePhone(query.phone)?.e164 ?? null) : null;
  const found: CustomerProfile[] = [];
  for (const { profile, phone } of members) {
    const hit =
      query.by === 'phone'
        ? e164 !== null && phone !== null && normalisePhone(phone)?.e164 === e164
        : query.by === 'memberCode'
          ? profile.memberCode === query.memberCode.trim()
          : profile.phoneLast4 === query.phoneLast4 && profile.name === query.name.trim();
    if (hit) found.push(profile);
  }
  return found.slice(0, MAX_SEARCH_RESULTS);
}

/** The fake hub's answer: the members found enter this store's scope, so the feed carries them. */
export function searchCustomers(
  hub: FakeHubState,
  query: CustomerSearchRequest,
): HubResult<CustomerSearchResponse> {
  hub.searches.push(structuredClone(query));
  const customers = matchElsewhere(hub.elsewhere.values(), query);
  for (const profile of customers) {
    hub.elsewhere.delete(profile.id);
    hub.upsertCustomer(profile);
  }
  return ok({ customers });
}
