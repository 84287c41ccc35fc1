/**
 * Chain-wide "pull from your cursor" hints (`customers:changed`, `catalog:changed` to every
 * terminal), at most one per event every `spacingMs` on a node: the first at once, the rest of a
 * burst folded into one at the end of the window carrying the highest cursor. A hint only says
 * "there is more after your cursor", and a terminal pulls from its own cursor, so a folded hint
 * loses nothing. Sent one per write, the chain feed's hints were the hubs' main work under
 * bench:chain's 200 orders/s: each went to all 12,000 sockets (2.4 million socket writes a second;
 * `writev` was 31 % of a hub's profile), and order uploads waited behind them.
 */
export type HintEvent = 'customers:changed' | 'catalog:changed';

export type ChangeHints = {
  send(event: HintEvent, cursor: string): void;
  /** drops a pending hint (the node is closing) */
  close(): void;
};

export function coalescedHints(
  emit: (event: HintEvent, cursor: string) => void,
  spacingMs: number,
): ChangeHints {
  const state = new Map<
    HintEvent,
    { lastAt: number; pending: string | null; timer: NodeJS.Timeout | null }
  >();
  const higher = (a: string | null, b: string) => (a !== null && BigInt(a) >= BigInt(b) ? a : b);
  return {
    send(event, cursor) {
      let s = state.get(event);
      if (!s) state.set(event, (s = { lastAt: -Infinity, pending: null, timer: null }));
      const now = Date.now();
      if (s.timer === null && now - s.lastAt >= spacingMs) {
        s.lastAt = now;
        emit(event, cursor);
        return;
      }
      s.pending = higher(s.pending, cursor);
      if (s.timer !== null) return;
      const entry = s;
      entry.timer = setTimeout(
        () => {
          entry.timer = null;
          const pendingCursor = entry.pending;
          entry.pending = null;
          if (pendingCursor === null) return;
          entry.lastAt = Date.now();
          emit(event, pendingCursor);
        },
        Math.max(0, entry.lastAt + spacingMs - now),
      );
      entry.timer.unref();
    },
    close() {
      for (const s of state.values()) if (s.timer) clearTimeout(s.timer);
      state.clear();
    },
  };
}
