import type { StateCreator } from 'zustand';
import type { GuideRole } from '../../shared/protocol';

/** The guide signed in at this counter (sign-in itself lives in renderer/session). */
export type SignedInGuide = { id: string; name: string; role: GuideRole };

export type SessionSlice = {
  guide: SignedInGuide | null;
  signIn(guide: SignedInGuide): void;
  signOut(): void;
};

export const createSessionSlice: StateCreator<SessionSlice, [], [], SessionSlice> = (set) => ({
  guide: null,
  signIn: (guide) => set({ guide }),
  signOut: () => set({ guide: null }),
});
