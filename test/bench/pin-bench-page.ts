/**
 * Runs in Chromium (bundled by pin-bench.ts): an offline sign-in's PIN check exactly as the
 * renderer does it (shared/domain/pin-verifier.ts, @noble/hashes scrypt, yielding to the page).
 */
import { checkPin, hashPin } from '../../shared/domain/pin-verifier';

declare global {
  interface Window {
    pinBench(runs: number): Promise<{ verifyMs: number[] }>;
  }
}

window.pinBench = async (runs) => {
  const stored = await hashPin('480613');
  const verifyMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const result = await checkPin(i % 2 === 0 ? '480613' : '480614', stored);
    verifyMs.push(performance.now() - started);
    if (result.ok !== (i % 2 === 0)) throw new Error('PIN check gave the wrong answer');
  }
  return { verifyMs };
};
