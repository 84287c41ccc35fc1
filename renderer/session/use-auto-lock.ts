import { useEffect } from 'react';
import { useAppStore } from '../core/store';

const ACTIVITY = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;

/**
 * Signs the guide out after `minutes` without a touch or key press, so the next person at a
 * shared counter does not sell under someone else's name.
 */
export function useAutoLock(minutes: number, target: Window = window): void {
  const signedIn = useAppStore((s) => s.guide !== null);
  const signOut = useAppStore((s) => s.signOut);
  useEffect(() => {
    if (!signedIn) return;
    let timer: ReturnType<typeof setTimeout>;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(signOut, minutes * 60_000);
    };
    arm();
    for (const type of ACTIVITY) target.addEventListener(type, arm, { passive: true });
    return () => {
      clearTimeout(timer);
      for (const type of ACTIVITY) target.removeEventListener(type, arm);
    };
  }, [signedIn, signOut, minutes, target]);
}
