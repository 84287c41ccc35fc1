// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { I18nextProvider } from 'react-i18next';
import { afterEach, describe, expect, it } from 'vitest';
import { makeHarness, renderWith } from '../testing/test-harness';
import { makeProfile } from '../data/testing';
import { testI18n } from '../testing/i18n';
import { ConnectScreen, type ConnectError } from './connect-screen';
import { checkTerminal } from './hub-check';
import { InitialSyncScreen } from './initial-sync-screen';
import { createProgressTracker } from './sync-progress';

describe('connect this terminal', () => {
  afterEach(cleanup);

  it('tells an unreachable hub apart from a malformed address', async () => {
    // Port 1 on loopback: nothing listens there, the connection is refused.
    const down = await checkTerminal('http://127.0.0.1:1', 'some-token');
    expect(!down.ok && down.error.kind).toBe('unreachable');
    const bad = await checkTerminal('ftp://hub', 'some-token');
    expect(!bad.ok && bad.error.kind).toBe('bad_url');
  });

  it('shows the hub’s refusal as a clear message and keeps the form usable', async () => {
    const attempts: { hubUrl: string; token: string | null }[] = [];
    const user = userEvent.setup();
    render(
      <I18nextProvider i18n={testI18n()}>
        <ConnectScreen
          deployment={{ hubUrl: null, source: 'none', enrolled: false }}
          preseeded={false}
          revoked
          browserMode={false}
          onConnect={async (input): Promise<ConnectError> => {
            attempts.push(input);
            return { kind: 'bad_token' };
          }}
        />
      </I18nextProvider>,
    );
    expect(screen.getByText(/本终端已被总部停用/)).toBeTruthy();
    await user.type(screen.getByLabelText('服务器地址'), 'http://10.0.0.5:4600');
    await user.type(screen.getByLabelText('终端令牌'), 'wrong-token');
    await user.click(screen.getByRole('button', { name: '连接' }));
    await waitFor(() =>
      expect(screen.getAllByRole('alert').at(-1)!.textContent).toBe(
        '令牌无效或已停用，请向 IT 确认。',
      ),
    );
    expect(attempts).toEqual([{ hubUrl: 'http://10.0.0.5:4600', token: 'wrong-token' }]);
    expect((screen.getByRole('button', { name: '连接' }) as HTMLButtonElement).disabled).toBe(
      false,
    );
  });

  it('runs the first sync to 100% and then says it is done', async () => {
    const h = await makeHarness({ guides: [{ name: '王芳', pin: '480613' }] });
    for (let i = 0; i < 30; i++) h.hub.upsertCustomer(await makeProfile());
    let done = false;
    renderWith(h.services, <InitialSyncScreen onDone={() => (done = true)} />);
    await waitFor(() => expect(done).toBe(true));
    expect(await h.services.db.customerStore.count()).toBe(30);
  });

  it('progress: rows across feeds, percentage, and time left from the rate so far', () => {
    let t = 0;
    const tracker = createProgressTracker(() => t);
    expect(tracker.update({ feed: 'customers', done: 0, total: 1000 }).percent).toBe(0);
    t = 1000;
    tracker.update({ feed: 'customers', done: 250, total: 1000 });
    t = 2000;
    // One second of rows is not enough to go on.
    expect(tracker.update({ feed: 'customers', done: 500, total: 1000 }).secondsLeft).toBeNull();
    t = 3000;
    const view = tracker.update({ feed: 'customers', done: 750, total: 1000 });
    expect(view).toEqual({ done: 750, total: 1000, percent: 75, secondsLeft: 1 });
    t = 4000;
    tracker.update({ feed: 'customers', done: 1000, total: 1000 });
    tracker.update(null); // the engine clears progress between feeds
    const next = tracker.update({ feed: 'catalog', done: 0, total: 200 });
    expect(next.done).toBe(1000);
    expect(next.total).toBe(1200);
    expect(next.percent).toBe(83);
  });

  it('progress: row counts are written with the language’s digit grouping', () => {
    const zh = testI18n('zh-CN');
    expect(zh.t('rows', { ns: 'enrol', done: 59_000, total: 200_000 })).toBe(
      '已下载 59,000 / 200,000 条',
    );
    const en = testI18n('en');
    expect(en.t('rowsUnknown', { ns: 'enrol', done: 1_234_567 })).toBe('1,234,567 rows');
  });

  it('progress: the wait for the first page does not make the estimate wildly long', () => {
    let t = 0;
    const tracker = createProgressTracker(() => t);
    tracker.update({ feed: 'customers', done: 0, total: 200_000 });
    t = 5_000; // the hub counted the feed and built the first page
    expect(
      tracker.update({ feed: 'customers', done: 1_000, total: 200_000 }).secondsLeft,
    ).toBeNull();
    t = 6_000;
    tracker.update({ feed: 'customers', done: 11_000, total: 200_000 });
    t = 7_000;
    // 20,000 rows in 2 s since the first page: 179,000 to go at 10,000/s (not 60 s at 3,000/s).
    expect(tracker.update({ feed: 'customers', done: 21_000, total: 200_000 }).secondsLeft).toBe(
      18,
    );
  });
});
