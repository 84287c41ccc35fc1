import {
  consentChange as consentChangeSchema,
  outreachSettings as outreachSettingsSchema,
  type MarketingConsent,
  type OutreachSettings,
} from '../../shared/protocol';
import { err, ok, type Result } from '../../shared/result';
import { writeStrict, type OutboxConsentChange, type TerminalDb } from './database';
import { getCustomer } from './customers';
import { announceQueued, type CommandError } from './outbox';
import { sealOutboxEntry } from './outbox-rows';

/**
 * Marketing consent (#15 item 4) as this terminal knows it: the customer feed's state, unless a
 * change recorded here is later (it waits in the outbox, or the feed has not brought it back yet).
 */
export type ConsentRow = {
  customerId: string;
  /** the outbox entry (and the hub's event id) */
  changeId: string;
  granted: boolean;
  noticeVersion: string;
  at: string;
};

/** A hub setting kept here (`hubSettings`); only `outreach` so far. */
export type HubSettingRow = { key: 'outreach'; value: OutreachSettings; at: string };

/** The state a change here and the feed's agree on: the later one by the terminals' clocks. */
export function effectiveConsent(
  fromFeed: MarketingConsent | undefined,
  here: ConsentRow | undefined,
): MarketingConsent | null {
  if (here && (!fromFeed || fromFeed.at === null || Date.parse(here.at) > Date.parse(fromFeed.at)))
    return { granted: here.granted, at: here.at, noticeVersion: here.noticeVersion };
  return fromFeed ?? null;
}

export type ConsentState = {
  /** null: nothing known (a profile cached before consent travelled, or none) */
  consent: MarketingConsent | null;
  /** a change made here has not reached the hub yet */
  pending: boolean;
};

/** One member's consent, offline: the cached profile and this terminal's own latest change. */
export async function consentOf(db: TerminalDb, customerId: string): Promise<ConsentState> {
  // The plain reads first: a live query tracks what it reads, and the customer's read opens a
  // sealed row (WebCrypto), after which Dexie may no longer see the reads as this query's.
  const here = await db.consentChanges.get(customerId);
  const entry = here ? await db.outbox.get(here.changeId) : undefined;
  const customer = await getCustomer(db, customerId);
  return {
    consent: effectiveConsent(customer?.marketingConsent, here),
    pending: entry?.status === 'pending',
  };
}

/**
 * Records a consent given or withdrawn at the counter: the change into the outbox (sealed, strict
 * durability; the hub deduplicates on its id), then the member's state here. The screen shows the
 * new state at once, offline too.
 */
export async function enqueueConsentChange(
  db: TerminalDb,
  input: unknown,
  now: Date = new Date(),
): Promise<Result<OutboxConsentChange, CommandError>> {
  const parsed = consentChangeSchema.safeParse(input);
  if (!parsed.success) return err({ code: 'invalid_input', message: parsed.error.message });
  const change = parsed.data;
  const entry: OutboxConsentChange = {
    id: change.id,
    kind: 'consent_change',
    consentChange: change,
    status: 'pending',
    createdAt: now.toISOString(),
    attempts: 0,
    lastAttemptAt: null,
    syncedAt: null,
    reason: null,
  };
  const row: ConsentRow = {
    customerId: change.customerId,
    changeId: change.id,
    granted: change.granted,
    noticeVersion: change.noticeVersion,
    at: change.at,
  };
  await writeStrict(db, [{ table: 'outbox', rows: [await sealOutboxEntry(db.sealer, entry)] }]);
  // Through Dexie, not the strict write: live queries (the 360, the outreach screen) see it.
  await db.consentChanges.put(row);
  announceQueued(db);
  return ok(entry);
}

/** Head office's outreach settings as last pulled, or null before the first pull. */
export async function outreachSettingsHere(db: TerminalDb): Promise<OutreachSettings | null> {
  const row = await db.hubSettings.get('outreach');
  if (!row) return null;
  const parsed = outreachSettingsSchema.safeParse(row.value);
  return parsed.success ? parsed.data : null;
}

/** Keeps what the hub said (GET /terminal) for offline use. */
export async function storeOutreachSettings(
  db: TerminalDb,
  settings: OutreachSettings,
  now: string,
): Promise<void> {
  await db.hubSettings.put({ key: 'outreach', value: settings, at: now });
}
