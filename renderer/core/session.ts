import type { StateCreator } from 'zustand';
import type { GuideRole } from '../../shared/protocol';
import { EMPTY_DRAFT, type OrderDraft, type OrderSlice } from './order-slice';
import type { NavigationSlice, Screen } from './navigation';

/** The guide signed in at this counter (sign-in itself lives in renderer/session). */
export type SignedInGuide = { id: string; name: string; role: GuideRole };

/**
 * Where every session starts and ends: the arrivals list, the store's shared work queue, is what
 * a guide expects after signing in, and it carries nothing of the previous guide's customer.
 */
export const HOME_SCREEN: Screen = { name: 'arrivals' };

export type SessionSlice = {
  guide: SignedInGuide | null;
  /**
   * Unsent order drafts of guides who left mid-order (换人, auto-lock, sign-out), by guide id.
   * Memory only, like the draft itself: the next guide never sees it, its owner gets it back at
   * their next sign-in on this counter.
   */
  parkedDrafts: Record<string, OrderDraft>;
  /**
   * When the signed-in guide last proved their PIN (sign-in, or a manager's step-up before a
   * manager action, renderer/session/manager-step-up.tsx); ISO instant, null when signed out.
   */
  pinVerifiedAt: string | null;
  /** starts a session on the neutral home screen; a new guide gets their own draft back */
  signIn(guide: SignedInGuide, at?: Date): void;
  /** the signed-in guide entered their PIN again (step-up) */
  pinVerified(at: Date): void;
  /** ends the session: home screen, no Back history, the draft parked for its guide */
  signOut(): void;
  /** signOut that also drops every parked draft (the terminal was revoked and wiped) */
  resetSession(): void;
};

type Shared = SessionSlice & NavigationSlice & OrderSlice;

const hasContent = (draft: OrderDraft) => draft.lines.length > 0 || draft.customerId !== null;

/** parks the signed-in guide's draft (or forgets an empty one) */
function park(s: Shared): Record<string, OrderDraft> {
  if (!s.guide) return s.parkedDrafts;
  const { [s.guide.id]: _previous, ...others } = s.parkedDrafts;
  return hasContent(s.orderDraft) ? { ...others, [s.guide.id]: s.orderDraft } : others;
}

/**
 * Session changes reach across slices: the screen, the Back history and the draft all belong to
 * the guide at the counter, so they are reset in the same `set` as the guide.
 */
export const createSessionSlice: StateCreator<Shared, [], [], SessionSlice> = (set) => ({
  guide: null,
  parkedDrafts: {},
  pinVerifiedAt: null,
  signIn: (guide, at) =>
    set((s) => {
      const pinVerifiedAt = at
        ? at.toISOString()
        : s.guide?.id === guide.id
          ? s.pinVerifiedAt
          : null;
      // The same guide again (a name or role refresh) keeps their place.
      if (s.guide?.id === guide.id) return { guide, pinVerifiedAt };
      const { [guide.id]: own, ...parkedDrafts } = park(s);
      return {
        guide,
        pinVerifiedAt,
        screen: HOME_SCREEN,
        history: [],
        orderDraft: own ?? EMPTY_DRAFT,
        parkedDrafts,
      };
    }),
  pinVerified: (at) => set((s) => (s.guide ? { pinVerifiedAt: at.toISOString() } : s)),
  signOut: () =>
    set((s) => ({
      guide: null,
      pinVerifiedAt: null,
      screen: HOME_SCREEN,
      history: [],
      orderDraft: EMPTY_DRAFT,
      parkedDrafts: park(s),
    })),
  resetSession: () =>
    set({
      guide: null,
      pinVerifiedAt: null,
      screen: HOME_SCREEN,
      history: [],
      orderDraft: EMPTY_DRAFT,
      parkedDrafts: {},
    }),
});
