import { describe, expect, it } from 'vitest';
import { makeProduct } from '../data/testing';
import { EMPTY_DRAFT } from './order-slice';
import { HOME_SCREEN } from './session';
import { createAppStore } from './store';

const A = { id: '01960000-0000-7000-8000-0000000000a1', name: '王芳', role: 'guide' as const };
const B = { id: '01960000-0000-7000-8000-0000000000b2', name: '李娜', role: 'guide' as const };
const CUSTOMER = '01960000-0000-7000-8000-0000000000c3';

/** guide A mid-sale: a customer's 360 reached through lookup, a basket for that customer */
function midSale() {
  const store = createAppStore();
  store.getState().signIn(A);
  store.getState().navigate({ name: 'lookup', query: '赵敏' });
  store.getState().navigate({ name: 'customer', customerId: CUSTOMER });
  store.getState().attachDraftCustomer(CUSTOMER);
  store.getState().addProductToDraft(makeProduct({ sku: 'COAT-M' }));
  return store;
}

describe('session and the shared screen', () => {
  it('sign-out lands on the home screen with no Back history and no draft on the counter', () => {
    const store = midSale();
    store.getState().signOut();
    const s = store.getState();
    expect(s.guide).toBeNull();
    expect(s.screen).toEqual(HOME_SCREEN);
    expect(s.history).toEqual([]);
    expect(s.orderDraft).toEqual(EMPTY_DRAFT);
    s.back();
    expect(store.getState().screen).toEqual(HOME_SCREEN);
  });

  it('parks an unsent draft for its guide: the next guide starts empty, its owner gets it back', () => {
    const store = midSale();
    const draft = store.getState().orderDraft;
    store.getState().signOut();
    store.getState().signIn(B);
    expect(store.getState().orderDraft).toEqual(EMPTY_DRAFT);
    expect(store.getState().parkedDrafts).toEqual({ [A.id]: draft });
    store.getState().signOut(); // B had nothing to park
    expect(store.getState().parkedDrafts).toEqual({ [A.id]: draft });
    store.getState().signIn(A);
    expect(store.getState().orderDraft).toEqual(draft);
    expect(store.getState().parkedDrafts).toEqual({});
    expect(store.getState().screen).toEqual(HOME_SCREEN);
  });

  it('a sign-in over another guide’s session (no sign-out between) resets it the same way', () => {
    const store = midSale();
    const draft = store.getState().orderDraft;
    store.getState().signIn(B);
    const s = store.getState();
    expect(s.guide).toEqual(B);
    expect(s.screen).toEqual(HOME_SCREEN);
    expect(s.history).toEqual([]);
    expect(s.orderDraft).toEqual(EMPTY_DRAFT);
    expect(s.parkedDrafts).toEqual({ [A.id]: draft });
  });

  it('the same guide again (name or role refresh) keeps the screen, history and draft', () => {
    const store = midSale();
    const before = store.getState();
    store.getState().signIn({ ...A, role: 'manager' });
    const s = store.getState();
    expect(s.guide?.role).toBe('manager');
    expect(s.screen).toEqual(before.screen);
    expect(s.history).toEqual(before.history);
    expect(s.orderDraft).toEqual(before.orderDraft);
  });

  it('a revoked terminal forgets every parked draft (its customers are wiped with the cache)', () => {
    const store = midSale();
    store.getState().signOut();
    store.getState().resetSession();
    const s = store.getState();
    expect(s.parkedDrafts).toEqual({});
    expect(s.orderDraft).toEqual(EMPTY_DRAFT);
    expect(s.screen).toEqual(HOME_SCREEN);
    expect(s.history).toEqual([]);
  });
});
