/**
 * A short two-tone chime for a new arrival, made with WebAudio (no audio file: the CSP allows no
 * media, and a file would need loading). Silently does nothing where audio is unavailable.
 */
let context: AudioContext | null = null;

export function beep(): void {
  try {
    const Ctor = globalThis.AudioContext as typeof AudioContext | undefined;
    if (!Ctor) return;
    context ??= new Ctor();
    const ctx = context;
    if (ctx.state === 'suspended') void ctx.resume();
    const start = ctx.currentTime;
    for (const [i, freq] of [880, 1320].entries()) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      const t0 = start + i * 0.16;
      gain.gain.setValueAtTime(0.0001, t0);
      gain.gain.exponentialRampToValueAtTime(0.25, t0 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.15);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t0);
      osc.stop(t0 + 0.16);
    }
  } catch {
    // No sound device: the card and the OS notification still show.
  }
}
