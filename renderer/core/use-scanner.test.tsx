// @vitest-environment jsdom
import { cleanup, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useScanner } from './use-scanner';

function keys(text: string, clock: { t: number }, gapMs: number) {
  const events: KeyboardEvent[] = [];
  for (const key of [...text, 'Enter']) {
    clock.t += gapMs;
    const event = new KeyboardEvent('keydown', { key, cancelable: true, bubbles: true });
    window.dispatchEvent(event);
    events.push(event);
  }
  return events.at(-1)!;
}

describe('keyboard-wedge scanner', () => {
  afterEach(cleanup);

  it('takes a fast burst ending in Enter as one scan and swallows that Enter', () => {
    const clock = { t: 0 };
    const scans: string[] = [];
    renderHook(() => useScanner((code) => void scans.push(code), { now: () => clock.t }));
    const enter = keys('M00012345', clock, 8);
    expect(scans).toEqual(['M00012345']);
    expect(enter.defaultPrevented).toBe(true);
  });

  it('leaves a person typing alone (slower than 50 ms a key)', () => {
    const clock = { t: 0 };
    const scans: string[] = [];
    renderHook(() => useScanner((code) => void scans.push(code), { now: () => clock.t }));
    const enter = keys('13912345678', clock, 120);
    expect(scans).toEqual([]);
    expect(enter.defaultPrevented).toBe(false);
  });

  it('lets the Enter through when the handler declines the code', () => {
    const clock = { t: 0 };
    renderHook(() => useScanner(() => false, { now: () => clock.t }));
    expect(keys('1234', clock, 5).defaultPrevented).toBe(false);
  });
});
