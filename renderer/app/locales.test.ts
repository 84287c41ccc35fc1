import { describe, expect, it } from 'vitest';
import { createAppI18n, resources } from './locales';

/** Collects dotted key paths of a nested strings object. */
function keys(tree: unknown, prefix = ''): string[] {
  if (typeof tree !== 'object' || tree === null) return [prefix];
  return Object.entries(tree).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe('i18n', () => {
  it('speaks Chinese by default and English on request', () => {
    expect(createAppI18n().t('cancel')).toBe('取消');
    expect(createAppI18n('en').t('cancel')).toBe('Cancel');
  });

  it('has every key in both languages, in every namespace', () => {
    expect(keys(resources.en).sort()).toEqual(keys(resources['zh-CN']).sort());
  });
});
