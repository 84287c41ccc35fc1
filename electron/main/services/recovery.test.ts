import { createCrashPolicy } from './recovery';

describe('crash recovery', () => {
  const options = { maxReloads: 3, windowMs: 60_000, hangGraceMs: 10_000 };

  it('reloads a crashed renderer, but not a window we closed', () => {
    const policy = createCrashPolicy(options);
    expect(policy.onGone('crashed', 0)).toBe('reload');
    expect(policy.onGone('oom', 1_000)).toBe('reload');
    expect(policy.onGone('clean-exit', 2_000)).toBe('ignore');
  });

  it('gives up after repeated crashes in a short time instead of looping', () => {
    const policy = createCrashPolicy(options);
    expect(policy.onGone('crashed', 0)).toBe('reload');
    expect(policy.onGone('crashed', 10_000)).toBe('reload');
    expect(policy.onGone('crashed', 20_000)).toBe('reload');
    expect(policy.onGone('crashed', 30_000)).toBe('give-up');
  });

  it('forgives crashes that are far apart', () => {
    const policy = createCrashPolicy(options);
    for (let i = 0; i < 10; i++) expect(policy.onGone('crashed', i * 61_000)).toBe('reload');
  });

  it('reloads a hung page only after the grace period', () => {
    const policy = createCrashPolicy(options);
    expect(policy.onUnresponsive(0, 5_000)).toBe('ignore');
    expect(policy.onUnresponsive(0, 10_000)).toBe('reload');
  });
});
