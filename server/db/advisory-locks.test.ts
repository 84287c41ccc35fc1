import { ADVISORY_LOCK_SPACES, ADVISORY_LOCKS } from './advisory-locks';

describe('advisory lock keys', () => {
  it.each([
    ['one-argument keys', ADVISORY_LOCKS],
    ['two-argument key spaces', ADVISORY_LOCK_SPACES],
  ])('%s are all different', (_, table) => {
    const keys = Object.values(table);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
