import { z } from 'zod';
import { NOTICE_LOCALES, NOTICE_VERSIONS } from '../domain/marketing-notice';
import { isoInstant, text, uuid } from './common';

/**
 * Issue #15 item 4, outreach without leaving the app: a member's marketing consent (PIPL), captured
 * or changed on the terminal with the notice shown, and the chain's mini-store link pattern.
 */

/**
 * A consent given or withdrawn at the counter. `id` is born on the terminal (the outbox entry's
 * id): a resend is answered `duplicate`. `at` is the terminal's clock when the member answered;
 * the hub keeps its own receipt time beside it. `noticeHash` is the SHA-256 of the notice text
 * shown (version + language), which the hub checks against its copy of that version.
 */
export const consentChange = z.object({
  id: uuid,
  customerId: uuid,
  guideId: uuid,
  granted: z.boolean(),
  noticeVersion: z.enum(NOTICE_VERSIONS),
  noticeLocale: z.enum(NOTICE_LOCALES),
  noticeHash: z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case SHA-256 hex digest'),
  at: isoInstant,
});
export type ConsentChange = z.infer<typeof consentChange>;

export const MAX_CONSENTS_PER_CALL = 500;
export const consentChangesRequest = z.object({
  changes: z.array(consentChange).min(1).max(MAX_CONSENTS_PER_CALL),
});

/**
 * A member's marketing consent as the customer feed carries it. `at` and `noticeVersion` are those
 * of the last change recorded at a terminal; both null when the state came from the CRM or the
 * registration form (no notice recorded).
 */
export const marketingConsent = z.object({
  granted: z.boolean(),
  at: isoInstant.nullable(),
  noticeVersion: z.string().max(32).nullable(),
});
export type MarketingConsent = z.infer<typeof marketingConsent>;

/** The placeholders a mini-store URL pattern may use, filled per item and guide. */
export const MINI_STORE_PLACEHOLDERS = ['styleCode', 'sku', 'guideId', 'storeId'] as const;
export type MiniStorePlaceholder = (typeof MINI_STORE_PLACEHOLDERS)[number];
export const MAX_URL_PATTERN = 500;

/** Why a mini-store URL pattern cannot be used, or null when it can. */
export function urlPatternProblem(pattern: string): string | null {
  const names = [...pattern.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]!);
  const unknown = names.filter((n) => !(MINI_STORE_PLACEHOLDERS as readonly string[]).includes(n));
  if (unknown.length > 0)
    return `unknown placeholder {${unknown[0]}}; known: ${MINI_STORE_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`;
  if (/[{}]/.test(pattern.replace(/\{[^{}]*\}/g, ''))) return 'unbalanced { or }';
  if (!names.includes('sku') && !names.includes('styleCode'))
    return 'must name the item: {sku} or {styleCode}';
  let url: URL;
  try {
    url = new URL(pattern.replace(/\{([^{}]*)\}/g, 'x'));
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'https:') return 'must be an https:// URL';
  if (url.username !== '' || url.password !== '') return 'must not carry credentials';
  // The host is head office's, never an item's: a SKU must not choose where the link goes.
  const authority = pattern.slice('https://'.length).split(/[/?#]/, 1)[0]!;
  if (authority.includes('{')) return 'placeholders belong in the path or query, not the host';
  if (!url.hostname.includes('.')) return 'needs a full host name';
  return null;
}

/**
 * Head office's outreach settings (`hub:admin outreach-settings`, `POST /admin/outreach-settings`):
 * the mini-store link a QR code opens, e.g.
 * `https://m.example.com/p/{styleCode}?sku={sku}&guide={guideId}`; null: no QR codes.
 */
export const outreachSettings = z
  .object({
    miniStoreUrlPattern: text
      .trim()
      .max(MAX_URL_PATTERN)
      .superRefine((value, ctx) => {
        const problem = urlPatternProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .nullable(),
  })
  .strict();
export type OutreachSettings = z.infer<typeof outreachSettings>;
export const DEFAULT_OUTREACH_SETTINGS: OutreachSettings = { miniStoreUrlPattern: null };

/**
 * The mini-store link for one item: the pattern with each placeholder filled, URL-encoded (a SKU
 * is free text). Null when the pattern is null or a placeholder the item lacks (no style code).
 */
export function miniStoreUrl(
  pattern: string | null,
  values: Partial<Record<MiniStorePlaceholder, string | null>>,
): string | null {
  if (pattern === null) return null;
  let missing = false;
  const url = pattern.replace(/\{([^{}]*)\}/g, (_all, name: string) => {
    const value = values[name as MiniStorePlaceholder];
    if (value === undefined || value === null || value === '') {
      missing = true;
      return '';
    }
    return encodeURIComponent(value);
  });
  return missing ? null : url;
}
