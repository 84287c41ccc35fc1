import { z } from 'zod';
import { isoInstant, text, uuid } from './common';
import type { Sizes } from './customers';

/**
 * Issue #16 item 7, profile upkeep: a guide edits a member's sizes, favourite categories, tags
 * and notes at the counter, offline through the outbox. The hub merges per field (docs/profile-edits.md).
 */

/** The size kinds a profile keeps (`customers.sizes`), each merged as a field of its own. */
export const SIZE_KINDS = ['top', 'bottom', 'dress', 'shoe'] as const;
export type SizeKind = (typeof SIZE_KINDS)[number];

/** Every field an edit can change, by the name the change log and the audit use. */
export const PROFILE_FIELDS = [
  'sizes.top',
  'sizes.bottom',
  'sizes.dress',
  'sizes.shoe',
  'favouriteCategories',
  'tags',
  'notes',
] as const;
export const profileField = z.enum(PROFILE_FIELDS);
export type ProfileField = z.infer<typeof profileField>;

export const MAX_FAVOURITE_CATEGORIES = 20;
export const MAX_TAGS = 50;
export const MAX_PROFILE_NOTES = 2000;

/** One size as typed ("M", "38", "165/84A"); null clears it. */
const sizeValue = text.trim().min(1).max(16).nullable();
/** A chip: a category or a tag, trimmed, not empty; a list is a set (repeats refused). */
const chip = text.trim().min(1).max(32);
const chipSet = (max: number) =>
  z
    .array(chip)
    .max(max)
    .refine((list) => new Set(list).size === list.length, 'must not repeat an entry');

/**
 * Only the fields the guide changed; a list field is sent whole (the new list), a size per kind.
 * At least one field.
 */
export const profileChanges = z
  .object({
    sizes: z
      .object({
        top: sizeValue.optional(),
        bottom: sizeValue.optional(),
        dress: sizeValue.optional(),
        shoe: sizeValue.optional(),
      })
      .strict()
      .optional(),
    favouriteCategories: chipSet(MAX_FAVOURITE_CATEGORIES).optional(),
    tags: chipSet(MAX_TAGS).optional(),
    notes: text.max(MAX_PROFILE_NOTES).optional(),
  })
  .strict()
  .refine((c) => changedFields(c).length > 0, 'an edit changes at least one field');
export type ProfileChanges = z.infer<typeof profileChanges>;

/**
 * A profile edit made at a terminal. `id` is born on the terminal (the outbox entry's id): a
 * resend is answered `duplicate`. `at` is the terminal's clock when the guide saved; the hub
 * orders edits by when it received them, not by `at` (a terminal's clock may be wrong).
 */
export const profileEdit = z.object({
  id: uuid,
  customerId: uuid,
  guideId: uuid,
  at: isoInstant,
  changes: profileChanges,
});
export type ProfileEdit = z.infer<typeof profileEdit>;

export const MAX_PROFILE_EDITS_PER_CALL = 200;
export const profileEditsRequest = z.object({
  edits: z.array(profileEdit).min(1).max(MAX_PROFILE_EDITS_PER_CALL),
});

/** What an audit entry `customer_profile_edited` says: the field names, never their values. */
export const profileEditAuditDetail = z
  .object({ fields: z.array(profileField).min(1).max(PROFILE_FIELDS.length) })
  .strict();
export type ProfileEditAuditDetail = z.infer<typeof profileEditAuditDetail>;

/** The fields an edit changes, in `PROFILE_FIELDS` order. */
export function changedFields(changes: {
  sizes?: Partial<Record<SizeKind, string | null>> | undefined;
  favouriteCategories?: readonly string[] | undefined;
  tags?: readonly string[] | undefined;
  notes?: string | undefined;
}): ProfileField[] {
  const fields: ProfileField[] = [];
  for (const kind of SIZE_KINDS)
    if (changes.sizes && changes.sizes[kind] !== undefined) fields.push(`sizes.${kind}`);
  if (changes.favouriteCategories !== undefined) fields.push('favouriteCategories');
  if (changes.tags !== undefined) fields.push('tags');
  if (changes.notes !== undefined) fields.push('notes');
  return fields;
}

/** The profile fields an edit touches. */
export type EditableProfile = {
  sizes: Sizes;
  favouriteCategories: string[];
  tags: string[];
  notes: string;
};

/**
 * A profile with an edit applied: each field the edit names takes its value (a null size is
 * removed), the others stay. The hub's merge and the terminal's optimistic copy are this one
 * function, so both show the same profile.
 */
export function applyProfileChanges<P extends EditableProfile>(
  profile: P,
  changes: ProfileChanges,
): P {
  const sizes: Sizes = {};
  for (const kind of SIZE_KINDS) {
    const value = changes.sizes?.[kind] === undefined ? profile.sizes[kind] : changes.sizes[kind];
    // null clears the size: the kind is left out
    if (value !== null && value !== undefined) sizes[kind] = value;
  }
  return {
    ...profile,
    sizes,
    favouriteCategories: changes.favouriteCategories ?? profile.favouriteCategories,
    tags: changes.tags ?? profile.tags,
    notes: changes.notes ?? profile.notes,
  };
}
