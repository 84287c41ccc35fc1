import { useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  MAX_FAVOURITE_CATEGORIES,
  MAX_PROFILE_NOTES,
  MAX_TAGS,
  SIZE_KINDS,
  type CustomerProfile,
  type ProfileChanges,
  type SizeKind,
} from '../../shared/protocol';
import { useSaveProfileEdit } from './use-profile-edit';
import './profile-edit.css';

/** Categories a guide picks most (apparel); the member's own come first, whatever they are. */
export const SUGGESTED_CATEGORIES = [
  '连衣裙',
  '衬衫',
  '针织',
  'T恤',
  '裤装',
  '半身裙',
  '外套',
  '鞋履',
  '配饰',
];

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Only what the guide changed, per field (the hub merges per field: a field left alone here is
 * not sent, so it cannot undo another counter's edit of it).
 */
export function changesFrom(
  before: Pick<CustomerProfile, 'sizes' | 'favouriteCategories' | 'tags' | 'notes'>,
  after: { sizes: Record<SizeKind, string>; favourites: string[]; tags: string[]; notes: string },
): ProfileChanges | null {
  const sizes: NonNullable<ProfileChanges['sizes']> = {};
  for (const kind of SIZE_KINDS) {
    const value = after.sizes[kind].trim();
    if (value !== (before.sizes[kind] ?? '')) sizes[kind] = value === '' ? null : value;
  }
  const changes: ProfileChanges = {
    ...(Object.keys(sizes).length > 0 ? { sizes } : {}),
    ...(sameList(after.favourites, before.favouriteCategories)
      ? {}
      : { favouriteCategories: after.favourites }),
    ...(sameList(after.tags, before.tags) ? {} : { tags: after.tags }),
    ...(after.notes === before.notes ? {} : { notes: after.notes }),
  };
  return Object.keys(changes).length > 0 ? changes : null;
}

/**
 * 编辑资料: a member's sizes (per kind), favourite categories (chips to tap), tags (add, remove)
 * and notes, saved offline-first through the outbox. Big targets: the guide is standing, often
 * mid-conversation.
 */
export function ProfileEditForm({
  profile,
  onSaved,
  onCancel,
}: {
  profile: CustomerProfile;
  onSaved: (profile: CustomerProfile) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation('customers');
  const save = useSaveProfileEdit(profile.id);
  const [sizes, setSizes] = useState<Record<SizeKind, string>>({
    top: profile.sizes.top ?? '',
    bottom: profile.sizes.bottom ?? '',
    dress: profile.sizes.dress ?? '',
    shoe: profile.sizes.shoe ?? '',
  });
  const [favourites, setFavourites] = useState<string[]>(profile.favouriteCategories);
  const [newCategory, setNewCategory] = useState('');
  const [tags, setTags] = useState<string[]>(profile.tags);
  const [newTag, setNewTag] = useState('');
  const [notes, setNotes] = useState(profile.notes);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const categories = [
    ...new Set([...profile.favouriteCategories, ...SUGGESTED_CATEGORIES, ...favourites]),
  ];

  const toggle = (category: string) =>
    setFavourites((list) =>
      list.includes(category)
        ? list.filter((c) => c !== category)
        : list.length < MAX_FAVOURITE_CATEGORIES
          ? [...list, category]
          : list,
    );
  const addCategory = () => {
    const value = newCategory.trim();
    if (value && !favourites.includes(value) && favourites.length < MAX_FAVOURITE_CATEGORIES)
      setFavourites([...favourites, value]);
    setNewCategory('');
  };
  const addTag = () => {
    const value = newTag.trim();
    if (value && !tags.includes(value) && tags.length < MAX_TAGS) setTags([...tags, value]);
    setNewTag('');
  };
  const onEnter = (add: () => void) => (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    add();
  };
  const submit = async () => {
    const changes = changesFrom(profile, { sizes, favourites, tags, notes });
    if (!changes) return onCancel();
    setBusy(true);
    const result = await save(changes);
    setBusy(false);
    if (result.ok) onSaved(result.profile);
    else setFailure(t('edit.failed', { message: result.message }));
  };

  return (
    <section
      role="dialog"
      aria-modal="false"
      aria-labelledby="profile-edit-title"
      className="card profile-edit"
    >
      <h2 id="profile-edit-title">{t('edit.title', { name: profile.name })}</h2>
      <fieldset>
        <legend>{t('profile.sizes')}</legend>
        <div className="profile-edit-sizes">
          {SIZE_KINDS.map((kind) => (
            <label key={kind}>
              {t(`sizeKind.${kind}`)}
              <input
                value={sizes[kind]}
                maxLength={16}
                placeholder={t('edit.sizePlaceholder')}
                onChange={(e) => setSizes({ ...sizes, [kind]: e.target.value })}
              />
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('profile.favourites')}</legend>
        <div className="chips">
          {categories.map((category) => (
            <button
              key={category}
              type="button"
              className="chip"
              aria-pressed={favourites.includes(category)}
              onClick={() => toggle(category)}
            >
              {category}
            </button>
          ))}
        </div>
        <div className="chip-add">
          <input
            aria-label={t('edit.newCategory')}
            placeholder={t('edit.newCategory')}
            value={newCategory}
            maxLength={32}
            onChange={(e) => setNewCategory(e.target.value)}
            onKeyDown={onEnter(addCategory)}
          />
          <button type="button" onClick={addCategory} disabled={newCategory.trim() === ''}>
            {t('edit.add')}
          </button>
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('profile.tags')}</legend>
        <ul className="chips" aria-label={t('profile.tags')}>
          {tags.map((tag) => (
            <li key={tag}>
              <button
                type="button"
                className="chip"
                aria-label={t('edit.removeTag', { tag })}
                onClick={() => setTags(tags.filter((x) => x !== tag))}
              >
                {tag} ×
              </button>
            </li>
          ))}
        </ul>
        <div className="chip-add">
          <input
            aria-label={t('edit.newTag')}
            placeholder={t('edit.newTag')}
            value={newTag}
            maxLength={32}
            onChange={(e) => setNewTag(e.target.value)}
            onKeyDown={onEnter(addTag)}
          />
          <button type="button" onClick={addTag} disabled={newTag.trim() === ''}>
            {t('edit.add')}
          </button>
        </div>
      </fieldset>
      <label className="profile-edit-notes">
        {t('profile.notes')}
        <textarea
          value={notes}
          rows={3}
          maxLength={MAX_PROFILE_NOTES}
          onChange={(e) => setNotes(e.target.value)}
        />
      </label>
      <p className="muted">{t('edit.offlineHint')}</p>
      {failure && <p role="alert">{failure}</p>}
      <div className="actions">
        <button type="button" className="primary big" disabled={busy} onClick={() => void submit()}>
          {busy ? t('edit.saving') : t('edit.save')}
        </button>
        <button type="button" className="big" disabled={busy} onClick={onCancel}>
          {t('edit.cancel')}
        </button>
      </div>
    </section>
  );
}
