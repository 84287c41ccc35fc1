/**
 * The customer page worker's side (issue #17 item 4; sync/page-worker.ts runs it on every
 * message, tests run it in process). Per page of the customer feed it fetches, parses and
 * validates the rows (feed-items.ts), turns the profiles into cache rows, and keeps them under a
 * page token; the page's thread gets only what it needs to plan the write against its in-memory
 * index — each profile's lookup keys, the tombstones, the rows set aside — and then asks for the
 * plan's blocks packed and sealed here. The page's thread only puts the finished records
 * (customer-store.ts, `prepareSealed` / `putPrepared`), so the JSON, zod, pinyin, serialising,
 * deflating and encrypting of an initial sync (200,000 profiles) all run on this thread.
 *
 * It holds the data keys it was handed (non-extractable `CryptoKey`s stay non-extractable) and
 * the pages it was asked for until they are released; no IndexedDB, no other state. Errors are
 * answered by name only, never with a row's values.
 */
import { createApiClient } from '../../shared/api-client';
import { endpoints, isTombstone } from '../../shared/protocol';
import type { CustomerProfile, CustomerTombstone, ProfileEdit } from '../../shared/protocol';
import {
  HeldPages,
  type CachedCustomer,
  type CustomerKeyRow,
  type IdPlan,
  type Keyring,
  type SealedUpsert,
  type StoredBlock,
} from '../data/held-pages';
import type { HubError, PulledCustomerPage } from './hub-client';
import { checkCustomerItems } from './feed-items';

/** What the page sends the page worker. */
export type PageWorkerRequest =
  | { kind: 'keys'; ring: Keyring }
  | {
      kind: 'pull';
      id: number;
      baseUrl: string;
      token: string;
      after: string;
      limit: number;
      withTotal: boolean;
      timeoutMs: number;
    }
  /** this terminal's pending profile edits laid over the page's rows (profile-edits.ts) */
  | { kind: 'edits'; id: number; page: number; edits: ProfileEdit[] }
  | { kind: 'seal'; id: number; page: number; plan: IdPlan; touched: StoredBlock[] }
  /** the page's rows as the feed brought them (no edits), for a write done on the page */
  | { kind: 'rows'; id: number; page: number }
  | { kind: 'release'; page: number };

/**
 * A checked page as the page's thread gets it (`PulledCustomerPage` without the calls on its
 * rows), with the token the worker keeps the page's rows under.
 */
export type PulledPage = Omit<PulledCustomerPage, 'rows'> & { page: number };

export type PageWorkerAnswer =
  | { id: number; pulled: PulledPage }
  | { id: number; keys: CustomerKeyRow[] }
  | { id: number; sealed: SealedUpsert }
  | { id: number; rows: CachedCustomer[] }
  /** the hub's answer was an error (as the hub client gives it) */
  | { id: number; hubError: HubError }
  /** the worker could not do it: a name only */
  | { id: number; error: string };

export function pageWorkerHandler(
  deps: { fetch?: typeof globalThis.fetch } = {},
): (request: PageWorkerRequest) => Promise<PageWorkerAnswer | null> {
  const held = new HeldPages();

  const pull = async (
    request: Extract<PageWorkerRequest, { kind: 'pull' }>,
  ): Promise<PageWorkerAnswer> => {
    const api = createApiClient({
      baseUrl: request.baseUrl,
      credentials: { terminal: () => request.token },
      timeoutMs: request.timeoutMs,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
    const answer = await api.call(endpoints.syncCustomers, {
      query: { after: request.after, limit: request.limit, withTotal: request.withTotal },
    });
    if (!answer.ok) return { id: request.id, hubError: answer.error };
    const { items, rejects } = checkCustomerItems(answer.value.items);
    const profiles: CustomerProfile[] = [];
    const tombstones: CustomerTombstone[] = [];
    for (const item of items) {
      if (isTombstone(item)) tombstones.push(item);
      else profiles.push(item);
    }
    const { page, keys } = held.hold(profiles);
    // Packing its blocks starts once this answer is on its way (a task later).
    setTimeout(() => held.packAhead(page), 0);
    const { cursor, hasMore, total, feed } = answer.value;
    return {
      id: request.id,
      pulled: {
        page,
        feed,
        cursor,
        hasMore,
        ...(total === undefined ? {} : { total }),
        keys,
        tombstones,
        rejects,
      },
    };
  };

  const handle = async (request: PageWorkerRequest): Promise<PageWorkerAnswer | null> => {
    switch (request.kind) {
      case 'keys':
        held.useKeys(request.ring);
        return null;
      case 'release':
        held.release(request.page);
        return null;
      case 'pull':
        return pull(request);
      case 'rows':
        return { id: request.id, rows: held.rows(request.page) };
      case 'edits':
        return { id: request.id, keys: held.withEdits(request.page, request.edits) };
      case 'seal':
        return {
          id: request.id,
          sealed: await held.seal(request.page, request.plan, request.touched),
        };
    }
  };

  return async (request) => {
    try {
      return await handle(request);
    } catch (error) {
      if (!('id' in request)) return null;
      return { id: request.id, error: error instanceof Error ? error.name : 'page worker failed' };
    }
  };
}
