import { useEffect, useRef } from 'react';

/** Return false when the code is not for you, so the Enter reaches whatever has focus. */
// eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- callers may return nothing
export type ScanHandler = (code: string) => boolean | void;

export type ScannerOptions = {
  /** longest gap between two keys of one scan; people type slower than this */
  maxGapMs?: number;
  /** shortest code accepted (shorter bursts are typing) */
  minLength?: number;
  /** the clock (tests) */
  now?: () => number;
  target?: Window;
};

/**
 * A keyboard-wedge scanner types a code as a fast burst of keys ending in Enter. This listens on
 * the whole window, and when a burst (< `maxGapMs` between keys, at least `minLength` chars) ends
 * in Enter, calls `onScan(code)` and swallows that Enter, so a focused button or form does not
 * also fire — unless `onScan` returns false (not a scan it wants: a fast-typed PIN, say).
 * Slow typing passes through untouched.
 */
export function useScanner(onScan: ScanHandler, options: ScannerOptions = {}): void {
  const { maxGapMs = 50, minLength = 4, now = () => performance.now(), target = window } = options;
  const latest = useRef(onScan);
  useEffect(() => {
    latest.current = onScan;
  });
  useEffect(() => {
    let buffer = '';
    let last = -Infinity;
    const onKey = (event: KeyboardEvent) => {
      const at = now();
      const gap = at - last;
      last = at;
      if (event.key === 'Enter') {
        const code = buffer;
        buffer = '';
        if (code.length >= minLength && gap < maxGapMs) {
          if (latest.current(code) === false) return;
          event.preventDefault();
          event.stopPropagation();
        }
        return;
      }
      if (event.key.length !== 1 || event.ctrlKey || event.metaKey || event.altKey) {
        buffer = '';
        return;
      }
      buffer = gap < maxGapMs ? buffer + event.key : event.key;
    };
    // Capture phase: the scan is seen before any input or shortcut handler acts on the Enter.
    target.addEventListener('keydown', onKey, true);
    return () => target.removeEventListener('keydown', onKey, true);
  }, [maxGapMs, minLength, now, target]);
}
