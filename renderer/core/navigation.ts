import type { StateCreator } from 'zustand';

/**
 * Every screen of the terminal and what it needs to open. Features navigate with
 * `useAppStore((s) => s.navigate)`; there is no URL router (a counter terminal has no address bar).
 */
export type Screen =
  | { name: 'arrivals' }
  | { name: 'lookup'; query?: string }
  | { name: 'customer'; customerId: string }
  | { name: 'register'; phone?: string }
  | { name: 'order'; customerId?: string; alertId?: string; addSku?: string }
  | { name: 'receipt'; orderId: string }
  | { name: 'afterSale'; orderId: string }
  | { name: 'today' }
  | { name: 'sync' }
  | { name: 'dashboard' }
  | { name: 'followUps' }
  /** 发送推荐 to a member, from the 360 or a follow-up task (#15 item 4) */
  | { name: 'outreach'; customerId: string; taskId?: string };

export type NavigationSlice = {
  screen: Screen;
  /** screens visited before, for Back (bounded) */
  history: Screen[];
  navigate(screen: Screen): void;
  back(): void;
};

const MAX_HISTORY = 20;

export const createNavigationSlice: StateCreator<NavigationSlice, [], [], NavigationSlice> = (
  set,
) => ({
  screen: { name: 'arrivals' },
  history: [],
  navigate: (screen) =>
    set((s) => ({ screen, history: [...s.history, s.screen].slice(-MAX_HISTORY) })),
  back: () =>
    set((s) => {
      const previous = s.history[s.history.length - 1];
      return previous ? { screen: previous, history: s.history.slice(0, -1) } : s;
    }),
});
