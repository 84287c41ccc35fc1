// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { cleanup, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScreenSwitch } from './screen-switch';
import { makeHarness, renderWith, resetAppStore } from '../testing/test-harness';

/*
 * Screens other than arrivals are loaded the first time they are opened (React.lazy). Each case
 * uses a screen not opened before in this file, so its chunk really is still loading.
 */
describe('screen switch', () => {
  beforeEach(() => resetAppStore());
  afterEach(() => cleanup());

  it('says a lazily loaded screen is opening, then shows it', async () => {
    const h = await makeHarness({ start: false });
    renderWith(h.services, <ScreenSwitch screen={{ name: 'sync' }} />);
    expect(screen.getByRole('status').textContent).toBe('正在打开…');
    expect(await screen.findByRole('heading', { name: '同步状态' })).toBeTruthy();
    expect(screen.queryByText('正在打开…')).toBeNull();
  });

  it('says so in English too', async () => {
    const h = await makeHarness({ start: false });
    renderWith(h.services, <ScreenSwitch screen={{ name: 'lookup' }} />, 'en');
    expect(screen.getByRole('status').textContent).toBe('Opening…');
    expect(await screen.findByRole('heading', { name: 'Find a customer' })).toBeTruthy();
    await waitFor(() => expect(screen.queryByText('Opening…')).toBeNull());
  });
});
