/**
 * What one entry of the endpoint table says (`endpoints.ts`), and the helpers the per-area tables
 * (`endpoints-terminal.ts`, `endpoints-integration.ts`, `endpoints-admin.ts`) share.
 */
import { z } from 'zod';
import { feedPage, uuid } from './common';
import { customerFeedId } from './customers';

/** Who may call a route: a terminal (bearer token), head office (integration key), IT (admin key). */
export type EndpointAuth = 'terminal' | 'integration' | 'admin';

export type EndpointDef = {
  method: 'GET' | 'POST';
  path: `/${string}`;
  auth: EndpointAuth;
  /** the path parameters, one per `:name` in `path` */
  params?: z.ZodType<Record<string, string>>;
  query?: z.ZodType;
  body?: z.ZodType;
  /** the answer's schema for 2xx; `z.undefined()` for 204 */
  response: z.ZodType;
  /** batches (orders, audit, imports) may send up to 1 MiB; everything else 64 KiB */
  batch?: true;
  /** the 2xx answer is CSV text (`text/csv`), handed to the caller as a string, not JSON */
  answer?: 'csv';
  /**
   * The 2xx answer may come as gzipped JSON under `PACKED_JSON` when the caller's `Accept` asks
   * for it (the customer feed). The caller then inflates it itself: a browser moves a fifth of the
   * bytes from its network service into the page, and does not unpack them there.
   */
  packed?: true;
};

/**
 * The media type of a `packed` answer: the JSON the route would send, gzipped, as the body itself
 * (not a `content-encoding`, which the browser would undo in its network service and then pipe
 * the full JSON into the page: ≈ 130 ms for a 2.5 MB feed page in Chromium against ≈ 18 ms for
 * its 0.5 MB gzipped, docs/benchmarks.md, "Feed pages packed, in ASCII").
 */
export const PACKED_JSON = 'application/vnd.shopguide.json+gzip';

export const endpoint = <const E extends EndpointDef>(definition: E): E => definition;

export const idParam = z.object({ id: uuid });
export const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });
export const okResponse = z.object({ ok: z.literal(true) });

/**
 * Feed answers: the envelope (cursor, hasMore, total) is checked as a whole, the rows one by one
 * by the terminal (`customerFeedItem`, `productItem`, `staffMember`), so a row that fails is set
 * aside and the rest of the page still applies (renderer/sync/feed-items.ts, issue #12).
 */
export const feedRows = feedPage(z.unknown());

/** The customer feed's answer: `feedRows` and which feed the page is of (`customerFeedId`). */
export const customerFeedRows = feedRows.extend({ feed: customerFeedId });
