import {
  applyProfileChanges,
  profileEdit as profileEditSchema,
  type ProfileEdit,
} from '../../shared/protocol';
import { err, ok, type Result } from '../../shared/result';
import type { CachedCustomer } from './customer-rows';
import { getCustomer } from './customers';
import { writeStrict, type OutboxProfileEdit, type TerminalDb } from './database';
import { announceQueued, type CommandError } from './outbox';
import { openOutboxEntries, sealOutboxEntry } from './outbox-rows';

export type ProfileEditError =
  CommandError | { code: 'not_cached' | 'provisional'; message: string };

/**
 * Records a profile edit made at the counter (#16 item 7): the edit into the outbox (sealed whole,
 * strict durability; the hub deduplicates on its id), then the cached profile with the edit
 * applied, so the 360 shows it at once, offline too. A member registered here and not yet
 * confirmed by the hub cannot be edited (the hub does not know the id yet): that waits for sync.
 */
export async function enqueueProfileEdit(
  db: TerminalDb,
  input: unknown,
  now: Date = new Date(),
): Promise<Result<{ entry: OutboxProfileEdit; customer: CachedCustomer }, ProfileEditError>> {
  const parsed = profileEditSchema.safeParse(input);
  if (!parsed.success) return err({ code: 'invalid_input', message: parsed.error.message });
  const edit = parsed.data;
  const cached = await getCustomer(db, edit.customerId);
  if (!cached) return err({ code: 'not_cached', message: 'the member is not on this terminal' });
  if (cached.provisional)
    return err({ code: 'provisional', message: 'the registration has not reached the hub yet' });
  // The id the cache holds: a merged-away id the guide still had open edits the survivor.
  const entry: OutboxProfileEdit = {
    id: edit.id,
    kind: 'profile_edit',
    profileEdit: { ...edit, customerId: cached.id },
    status: 'pending',
    createdAt: now.toISOString(),
    attempts: 0,
    lastAttemptAt: null,
    syncedAt: null,
    reason: null,
  };
  await writeStrict(db, [{ table: 'outbox', rows: [await sealOutboxEntry(db.sealer, entry)] }]);
  const customer = applyProfileChanges(cached, edit.changes);
  await db.customerStore.upsert([customer]);
  announceQueued(db);
  return ok({ entry, customer });
}

/**
 * The edits made here that the hub has not taken yet, in the order they were made. Read OUTSIDE
 * any transaction (it opens sealed rows).
 */
export async function pendingProfileEdits(db: TerminalDb): Promise<ProfileEdit[]> {
  const rows = await db.outbox
    .where('status')
    .equals('pending')
    .filter((r) => r.kind === 'profile_edit')
    .toArray();
  const entries = await openOutboxEntries(db.sealer, rows);
  return entries
    .flatMap((e) => (e.kind === 'profile_edit' ? [e] : []))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
    .map((e) => e.profileEdit);
}

export { withPendingEdits } from './profile-edits-apply';
