import { create } from 'zustand';
import { createNavigationSlice, type NavigationSlice } from './navigation';
import { createSessionSlice, type SessionSlice } from './session';
import { createOrderSlice, type OrderSlice } from './order-slice';

/**
 * One store built from per-feature slices (Zustand's slice pattern). A feature that needs shared
 * UI state adds its slice type to `AppState` and its creator below; components select single
 * fields: `useAppStore((s) => s.guide)`.
 */
export type AppState = NavigationSlice & SessionSlice & OrderSlice;

export const createAppStore = () =>
  create<AppState>()((...a) => ({
    ...createNavigationSlice(...a),
    ...createSessionSlice(...a),
    ...createOrderSlice(...a),
  }));

export const useAppStore = createAppStore();
