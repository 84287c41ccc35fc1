// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { act, cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { makeProfile } from '../data/testing';
import { makeHarness, renderWith, resetAppStore, type Harness } from '../testing/test-harness';
import { ResyncNotice } from './resync-notice';

/** The hub starts serving this store's own customer feed, with `n` of the members in it. */
function switchToStoreFeed(h: Harness, n: number) {
  const kept = h.hub.liveCustomers().slice(0, n);
  h.hub.customerFeed = `store:${newId()}`;
  h.hub.customers.clear();
  for (const m of kept) h.hub.upsertCustomer(m);
}

describe('re-sync notice', () => {
  beforeEach(() => {
    resetAppStore();
  });
  afterEach(cleanup);

  it('shows nothing on an ordinary sync', async () => {
    const h = await makeHarness();
    for (let i = 0; i < 3; i++) h.hub.upsertCustomer(await makeProfile());
    await h.services.engine.start();
    renderWith(h.services, <ResyncNotice />);
    await h.services.engine.pullFeed('customers');
    expect(screen.queryByRole('status', { name: '顾客资料重新同步' })).toBeNull();
  });

  it('while the customers are filled again: why, and how far, in Chinese', async () => {
    const h = await makeHarness();
    await h.services.engine.start();
    renderWith(h.services, <ResyncNotice />);
    act(() =>
      h.services.engine.status.update({
        syncing: true,
        progress: { feed: 'customers', done: 12_000, total: 48_000 },
        customerResync: { phase: 'running', before: 0 },
      }),
    );
    const notice = await screen.findByRole('status', { name: '顾客资料重新同步' });
    expect(notice.textContent).toBe('正在重新同步顾客资料（总部已更改同步范围）… 12,000 / 48,000');
    // A run resumed after a restart counts what the earlier run brought.
    act(() =>
      h.services.engine.status.update({
        progress: { feed: 'customers', done: 0, total: null },
        customerResync: { phase: 'running', before: 30_000 },
      }),
    );
    await waitFor(() =>
      expect(notice.textContent).toBe('正在重新同步顾客资料（总部已更改同步范围）… 30,000 / …'),
    );
  });

  it('in English on request', async () => {
    const h = await makeHarness();
    await h.services.engine.start();
    renderWith(h.services, <ResyncNotice />, 'en');
    act(() =>
      h.services.engine.status.update({
        progress: { feed: 'customers', done: 12_000, total: 48_000 },
        customerResync: { phase: 'running', before: 0 },
      }),
    );
    const notice = await screen.findByRole('status', { name: 'Customer re-sync' });
    expect(notice.textContent).toBe(
      'Re-syncing customer data (head office changed the sync scope)… 12,000 / 48,000',
    );
  });

  it('after a real feed reset: says it finished with the members cached, until dismissed', async () => {
    const h = await makeHarness();
    for (let i = 0; i < 8; i++) h.hub.upsertCustomer(await makeProfile());
    await h.services.engine.start();
    renderWith(h.services, <ResyncNotice />);
    await h.services.engine.pullFeed('customers');
    switchToStoreFeed(h, 5);
    await act(() => h.services.engine.pullFeed('customers'));
    const notice = await screen.findByRole('status', { name: '顾客资料重新同步' });
    expect(notice.textContent).toContain('顾客资料已重新同步：共 5 位。');
    await userEvent.setup().click(screen.getByRole('button', { name: '知道了' }));
    expect(screen.queryByRole('status', { name: '顾客资料重新同步' })).toBeNull();
    expect(h.services.engine.status.get().customerResync).toBeNull();
  });
});
