import {
  MAX_SEARCH_RESULTS,
  type CustomerProfile,
  type CustomerSearchRequest,
} from '../../shared/protocol';
import { recordAudit } from '../audit/service';
import type { TerminalPrincipal } from '../auth/guards';
import type { Db, Queryable } from '../db/database';
import { HubError } from '../http/errors';
import { normalisePhone } from '../../shared/domain/phone';
import { loadProfiles } from './profile';
import { enterStoreScope, SCOPE_REASON } from './scope';
import { ADVISORY_LOCK_SPACES } from '../db/advisory-locks';

/** The window of the per-terminal search limit. */
export const SEARCH_WINDOW_MS = 3_600_000;

/** `pg_advisory_xact_lock(int, int)` key space of one terminal's searches (count, then write). */
const SEARCH_LOCK = ADVISORY_LOCK_SPACES.search;

/**
 * A terminal's online search for members outside its store's cache (`POST /customers/search`).
 *
 * Bounded like registration's phone lookups: a terminal with `perHour` audit entries of searches
 * in the last hour gets 429 `rate_limited` before anything is looked up, so the refusal says
 * nothing about any member. Every search is audited (`customer_searched`, source `hub`: one entry
 * per member found, one without a member when none was — what was typed is never stored or
 * logged). The members found enter the store's scope (reason "looked up here") in the same
 * transaction; the caller settles scopes after commit so the store's next feed page carries them.
 */
export async function searchCustomers(
  db: Db,
  terminal: Pick<TerminalPrincipal, 'storeId' | 'terminalId'>,
  query: CustomerSearchRequest,
  perHour: number,
  now: Date = new Date(),
): Promise<CustomerProfile[]> {
  const ids = await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1, hashtext($2))', [
      SEARCH_LOCK,
      terminal.terminalId,
    ]);
    const [used] = await tx.query<{ n: number; oldest: Date | string | null }>(
      `select count(*)::int as n, min(at) as oldest from audit_log
        where terminal_id = $1 and action = 'customer_searched' and source = 'hub' and at > $2`,
      [terminal.terminalId, new Date(now.getTime() - SEARCH_WINDOW_MS).toISOString()],
    );
    if (Number(used?.n ?? 0) >= perHour) {
      const oldest = used?.oldest ? new Date(used.oldest).getTime() : now.getTime();
      const retryAfterSeconds = Math.max(
        1,
        Math.ceil((oldest + SEARCH_WINDOW_MS - now.getTime()) / 1000),
      );
      throw new HubError(
        429,
        'rate_limited',
        `this terminal searched the hub for members ${perHour} times in the last hour; ` +
          'searches resume later',
        { retryAfterSeconds },
      );
    }
    const found = await findLive(tx, query);
    for (const customerId of found.length > 0 ? found : [null])
      await recordAudit(tx, {
        action: 'customer_searched',
        source: 'hub',
        storeId: terminal.storeId,
        terminalId: terminal.terminalId,
        customerId,
        at: now,
      });
    await enterStoreScope(tx, terminal.storeId, found, SCOPE_REASON.lookup);
    return found;
  });
  const profiles = await loadProfiles(db, ids);
  return ids.flatMap((id) => {
    const profile = profiles.get(id);
    return profile ? [profile] : [];
  });
}

/** Live members matching the query exactly (index lookups only), at most MAX_SEARCH_RESULTS. */
async function findLive(db: Queryable, query: CustomerSearchRequest): Promise<string[]> {
  const live = 'merged_into is null and not deleted';
  let rows: { id: string }[];
  switch (query.by) {
    case 'phone': {
      const phone = normalisePhone(query.phone);
      if (!phone) return [];
      rows = await db.query(
        `select id::text as id from customers where phone_e164 = $1 and ${live}`,
        [phone.e164],
      );
      break;
    }
    case 'memberCode':
      rows = await db.query(
        `select id::text as id from customers where member_code = $1 and ${live}`,
        [query.memberCode.trim()],
      );
      break;
    case 'tailName':
      rows = await db.query(
        `select id::text as id from customers
          where phone_e164 is not null and right(phone_e164, 4) = $1 and name = $2 and ${live}
          order by id limit $3`,
        [query.phoneLast4, query.name.trim(), MAX_SEARCH_RESULTS],
      );
      break;
  }
  return rows.map((r) => r.id);
}
