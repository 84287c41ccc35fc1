// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { noticeHash, noticeText } from '../../shared/domain/marketing-notice';
import { useAppStore } from '../core/store';
import { CustomerScreen } from '../customers/customer-screen';
import { makeProfile } from '../data/testing';
import { createHarness } from '../testing/screen-testing';

afterEach(cleanup);

describe('marketing consent on the 360 (#15 item 4)', () => {
  it('shows the state, records a withdrawal after the notice (offline: 待同步), and the hub gets it once', async () => {
    const h = createHarness();
    const profile = await makeProfile({
      name: '陈静',
      marketingConsent: { granted: true, at: '2026-10-20T02:00:00.000Z', noticeVersion: '2026-12' },
    });
    await h.seedCustomers([profile]);
    h.hub.upsertCustomer(profile);
    h.show(<CustomerScreen customerId={profile.id} />);

    // The 360's first render reads the cached profile, catalog and outbox: on a loaded CI machine
    // that has been seen to take over a second.
    const SLOW = { timeout: 10_000 };
    expect(
      await screen.findByText('已同意接收营销信息（2026年10月20日 10:00）', {}, SLOW),
    ).toBeTruthy();
    h.hub.faults.offline = true;
    await userEvent.click(screen.getByRole('button', { name: '营销授权' }));
    const dialog = screen.getByRole('dialog', { name: '营销授权 · 陈静' });
    // The notice in the guide's language, with its version; the member may read the English one.
    expect(within(dialog).getByText(noticeText('2026-12', 'zh-CN'))).toBeTruthy();
    expect(within(dialog).getByText('告知版本 2026-12')).toBeTruthy();
    expect(within(dialog).getByRole('radio', { name: '中文' })).toHaveProperty('checked', true);
    await userEvent.click(within(dialog).getByRole('button', { name: '会员撤回同意' }));

    expect(await screen.findByText('已撤回营销授权（2026年11月2日 18:05）', {}, SLOW)).toBeTruthy();
    expect(screen.getByText('· 待同步', { exact: false })).toBeTruthy();
    expect(screen.queryByRole('dialog')).toBeNull();

    h.hub.faults.offline = false;
    await h.engine.drain();
    await h.engine.drain();
    const sent = [...h.hub.consentChanges.values()];
    expect(sent).toEqual([
      {
        id: expect.any(String),
        customerId: profile.id,
        guideId: h.guide.id,
        granted: false,
        noticeVersion: '2026-12',
        noticeLocale: 'zh-CN',
        noticeHash: await noticeHash('2026-12', 'zh-CN'),
        at: '2026-11-02T10:05:00.000Z',
      },
    ]);
    await waitFor(() => expect(screen.queryByText('· 待同步', { exact: false })).toBeNull(), SLOW);
  });

  it('says when nothing is known of a member cached before consent travelled; the 360 opens 发送推荐 for this member', async () => {
    const h = createHarness();
    const profile = await makeProfile({ name: '刘洋' });
    await h.seedCustomers([profile]);
    h.show(<CustomerScreen customerId={profile.id} />);
    // Cached before consent travelled in the feed: nothing known, said so.
    expect(await screen.findByText('营销授权：本机暂无记录', {}, { timeout: 10_000 })).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: '发送推荐' }));
    expect(useAppStore.getState().screen).toEqual({ name: 'outreach', customerId: profile.id });
  });
});
