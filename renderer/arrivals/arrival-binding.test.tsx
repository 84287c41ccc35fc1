// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CustomerBinding } from '../../shared/protocol';
import { useAppStore } from '../core/store';
import { storeAlert } from '../data/alerts';
import { applyCustomerItems, customerPageTables } from '../data/customers';
import { makeAlert, makeProfile } from '../data/testing';
import { makeHarness, renderWith, resetAppStore, type Harness } from '../testing/test-harness';
import { ArrivalsScreen } from './arrivals-screen';

const ME = { id: '01960000-0000-7000-8000-0000000000b1', name: '王芳', role: 'guide' as const };
const LI_NA = '01960000-0000-7000-8000-0000000000b2';
const SINCE = '2026-10-01T02:00:00.000Z';

/** A member walked in a minute ago; their profile (with `binding`) is in the terminal's cache. */
async function arrivalOf(h: Harness, name: string, binding: CustomerBinding | null | undefined) {
  const profile = await makeProfile({ name, ...(binding === undefined ? {} : { binding }) });
  await h.services.db.transaction('rw', customerPageTables(h.services.db), () =>
    applyCustomerItems(h.services.db, [profile]),
  );
  const at = new Date(h.clock.now.getTime() - 60_000);
  const base = makeAlert({ storeId: h.storeId });
  await storeAlert(
    h.services.db,
    makeAlert({
      storeId: h.storeId,
      at: at.toISOString(),
      expiresAt: new Date(at.getTime() + 30 * 60_000).toISOString(),
      card: { ...base.card, customerId: profile.id, name },
    }),
  );
}

describe('whose customer on the arrival card', () => {
  beforeEach(() => {
    resetAppStore();
    localStorage.clear();
    useAppStore.getState().signIn(ME);
  });
  afterEach(cleanup);

  it('offline, from the cache: "你的顾客" for mine, "李娜的顾客" for hers, nothing for the pool', async () => {
    // Not started: the engine never reached the (fake) hub, so everything comes from the cache.
    const h = await makeHarness();
    await arrivalOf(h, '陈静', { guideId: ME.id, guideName: '王芳', since: SINCE });
    await arrivalOf(h, '刘洋', { guideId: LI_NA, guideName: '李娜', since: SINCE });
    await arrivalOf(h, '周琳', null);
    renderWith(h.services, <ArrivalsScreen />);
    const card = async (name: string) =>
      within(
        (await screen.findAllByRole('article')).find((a) => a.getAttribute('aria-label') === name)!,
      );
    expect(await (await card('陈静')).findByText('你的顾客')).toBeTruthy();
    expect(await (await card('刘洋')).findByText('李娜的顾客')).toBeTruthy();
    const pool = await card('周琳');
    expect(pool.queryByText(/的顾客/)).toBeNull();
    expect(pool.queryByText('门店客户（无专属导购）')).toBeNull();
    expect(screen.getByText(/离线中/)).toBeTruthy();
  });

  it('in English', async () => {
    const h = await makeHarness();
    await arrivalOf(h, 'Anna', { guideId: LI_NA, guideName: 'Li Na', since: SINCE });
    await arrivalOf(h, 'Bea', { guideId: ME.id, guideName: '王芳', since: SINCE });
    renderWith(h.services, <ArrivalsScreen />, 'en');
    expect(await screen.findByText("Li Na's customer")).toBeTruthy();
    expect(await screen.findByText('Your customer')).toBeTruthy();
  });
});
