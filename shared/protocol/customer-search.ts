import { z } from 'zod';
import { nonEmpty, text } from './common';
import { customerProfile } from './customers';

/**
 * Online search for a member outside this store's cache (issue #17 item 1, `POST
 * /customers/search`; docs/scaling.md, "Store-scoped caches"). Exact matches only — a whole phone
 * number, a member code, or 尾号 (the last four digits) with the full name — so the hub never
 * lists members by a fragment. The query travels in the body, never in a URL or a log line.
 */
export const customerSearchRequest = z.discriminatedUnion('by', [
  z.object({ by: z.literal('phone'), phone: text.trim().min(3).max(32) }),
  z.object({ by: z.literal('memberCode'), memberCode: nonEmpty(64) }),
  z.object({
    by: z.literal('tailName'),
    phoneLast4: z.string().regex(/^\d{4}$/),
    name: nonEmpty(64),
  }),
]);
export type CustomerSearchRequest = z.infer<typeof customerSearchRequest>;

/** Most members one search answers (尾号 + name can match a few people). */
export const MAX_SEARCH_RESULTS = 5;

/**
 * The members found, as the customer feed sends them. Each is now in this store's scope: the
 * store's next feed page carries them, so they stay cached here (offline too).
 */
export const customerSearchResponse = z.object({
  customers: z.array(customerProfile).max(MAX_SEARCH_RESULTS),
});
export type CustomerSearchResponse = z.infer<typeof customerSearchResponse>;
