import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { CURRENT_NOTICE_VERSION, noticeHash } from '../../shared/domain/marketing-notice';
import { openDatabase } from '../../server/db/database';
import { endpoints, type ConsentChange, type OutreachSettings } from '../../shared/protocol';
import { callRoute, hubApi, must } from '../support/api';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { TEST_ADMIN_KEY, type HubProcess } from '../support/hub-process';
import { runAdminCliHere } from '../support/run-cli';
import { customerFeed, unique } from '../support/seed';

const PATTERN = 'https://m.example.com/p/{styleCode}?sku={sku}&guide={guideId}';

/**
 * Outreach (#15 item 4) through a real hub: head office's mini-store link pattern (admin API and
 * hub:admin, validated, reaching terminals through GET /terminal), and marketing consent — each
 * change taken once by its terminal id, the latest by the terminal's clock deciding, carried in
 * the customer feed, audited, and gone with an erasure.
 */
describeOnBackends('outreach: consent and the mini-store link through the hub', (backend) => {
  let hub: HubProcess;
  let store: StoreFixture;
  let token: string;
  let customerId: string;

  beforeAll(async () => {
    hub = await backend.startHub();
    store = await createStoreFixture(hub);
    token = store.terminals[0]!.token;
    const registered = await must(
      hubApi(hub, { token }).call(endpoints.registerCustomer, {
        body: { id: newId(), name: '周晓彤', phone: `139${unique().padStart(8, '0').slice(-8)}` },
      }),
    );
    customerId = registered.customer.id;
  });
  afterAll(async () => backend.cleanup());

  const change = async (over: Partial<ConsentChange>): Promise<ConsentChange> => ({
    id: newId(),
    customerId,
    guideId: store.guide.id,
    granted: true,
    noticeVersion: CURRENT_NOTICE_VERSION,
    noticeLocale: 'zh-CN',
    noticeHash: await noticeHash(CURRENT_NOTICE_VERSION, 'zh-CN'),
    at: '2026-12-01T10:00:00.000Z',
    ...over,
  });
  const post = async (changes: ConsentChange[]) =>
    (await must(hubApi(hub, { token }).call(endpoints.postConsents, { body: { changes } })))
      .results;
  const feedConsent = async () =>
    (await customerFeed(hub, token)).find((p) => p.id === customerId)?.marketingConsent;

  it('head office sets the mini-store link; http, unknown placeholders and a placeholder host are refused; terminals read it', async () => {
    const admin = hubApi(hub);
    expect(await must(admin.call(endpoints.adminGetOutreachSettings))).toEqual({
      miniStoreUrlPattern: null,
    });
    const saved = await must(
      admin.call(endpoints.adminSetOutreachSettings, { body: { miniStoreUrlPattern: PATTERN } }),
    );
    expect(saved).toEqual({ miniStoreUrlPattern: PATTERN });
    for (const bad of [
      'http://m.example.com/p/{sku}',
      'https://m.example.com/p/{sku}?phone={phone}',
      'https://{sku}.example.com/p',
      'https://m.example.com/home',
      'https://m.example.com/p/{sku',
    ]) {
      const refused = await callRoute(
        hub,
        endpoints.adminSetOutreachSettings,
        { body: { miniStoreUrlPattern: bad } as OutreachSettings },
        { adminKey: TEST_ADMIN_KEY },
      );
      expect([bad, refused.status, refused.error?.code]).toEqual([bad, 400, 'invalid_input']);
    }
    expect(await must(admin.call(endpoints.adminGetOutreachSettings))).toEqual(saved);
    const info = await must(hubApi(hub, { token }).call(endpoints.terminalInfo));
    expect(info.settings.miniStoreUrlPattern).toBe(PATTERN);
  });

  it('hub:admin shows and sets the pattern (off clears it); a bad one is a usage error and changes nothing', async () => {
    const cli = (...args: string[]) =>
      runAdminCliHere([...args, '--url', hub.url, '--json'], {
        HUB_ADMIN_KEY: TEST_ADMIN_KEY,
      });
    expect(JSON.parse((await cli('outreach-settings')).stdout)).toEqual({
      miniStoreUrlPattern: PATTERN,
    });
    const bad = await cli('set-outreach-settings', '--mini-store-url', 'ftp://x.example.com/{sku}');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('https');
    const off = await cli('set-outreach-settings', '--mini-store-url', 'off');
    expect(JSON.parse(off.stdout)).toEqual({ miniStoreUrlPattern: null });
    const on = await cli('set-outreach-settings', '--mini-store-url', PATTERN);
    expect(JSON.parse(on.stdout)).toEqual({ miniStoreUrlPattern: PATTERN });
  });

  it('a member without a recorded consent reads as not granted; a grant is taken once and reaches the feed', async () => {
    expect(await feedConsent()).toEqual({ granted: false, at: null, noticeVersion: null });
    const grant = await change({ at: '2026-12-01T10:00:00.000Z' });
    expect((await post([grant]))[0]).toEqual({ id: grant.id, status: 'accepted' });
    // The answer was lost and the terminal sends it again: nothing new.
    expect(await post([grant, grant])).toEqual([
      { id: grant.id, status: 'duplicate' },
      { id: grant.id, status: 'duplicate' },
    ]);
    expect(await feedConsent()).toEqual({
      granted: true,
      at: '2026-12-01T10:00:00.000Z',
      noticeVersion: CURRENT_NOTICE_VERSION,
    });
  });

  it('the latest change by the terminal clock decides, whatever order they arrive in', async () => {
    // Withdrawn at another counter earlier that morning, offline, arriving only now: kept in the
    // history, but the later grant stands.
    const older = await change({ granted: false, at: '2026-12-01T09:00:00.000Z' });
    expect((await post([older]))[0]!.status).toBe('accepted');
    expect((await feedConsent())?.granted).toBe(true);
    const withdraw = await change({
      granted: false,
      at: '2026-12-02T08:30:00.000Z',
      noticeLocale: 'en',
      noticeHash: await noticeHash(CURRENT_NOTICE_VERSION, 'en'),
      guideId: store.guide2.id,
    });
    expect((await post([withdraw]))[0]!.status).toBe('accepted');
    expect(await feedConsent()).toEqual({
      granted: false,
      at: '2026-12-02T08:30:00.000Z',
      noticeVersion: CURRENT_NOTICE_VERSION,
    });
    const audit = await must(
      hubApi(hub).call(endpoints.adminAudit, { query: { customerId, limit: 100 } }),
    );
    const consents = audit.items
      .filter((e) => e.action.startsWith('marketing_consent_'))
      .map((e) => [e.action, e.source, e.guide?.id, e.terminal?.id, e.at]);
    expect(consents).toEqual([
      [
        'marketing_consent_withdrawn',
        'hub',
        store.guide2.id,
        store.terminals[0]!.id,
        '2026-12-02T08:30:00.000Z',
      ],
      [
        'marketing_consent_granted',
        'hub',
        store.guide.id,
        store.terminals[0]!.id,
        '2026-12-01T10:00:00.000Z',
      ],
      [
        'marketing_consent_withdrawn',
        'hub',
        store.guide.id,
        store.terminals[0]!.id,
        '2026-12-01T09:00:00.000Z',
      ],
    ]);
  });

  it('refuses a notice hash that is not the text shown, a guide of another store, a clock a week ahead and an unknown member — and writes none of them', async () => {
    const other = await createStoreFixture(hub);
    const results = await post([
      await change({ noticeHash: 'a'.repeat(64) }),
      await change({ guideId: other.guide.id }),
      await change({ at: new Date(Date.now() + 7 * 86_400_000).toISOString() }),
      await change({ customerId: newId() }),
    ]);
    expect(results.map((r) => [r.status, r.code])).toEqual([
      ['rejected', 'invalid_input'],
      ['rejected', 'guide_inactive'],
      ['rejected', 'implausible_time'],
      ['rejected', 'customer_gone'],
    ]);
    expect((await feedConsent())?.granted).toBe(false);
    const malformed = await callRoute(
      hub,
      endpoints.postConsents,
      {
        body: {
          changes: [
            { ...(await change({})), noticeVersion: '1999-01' as typeof CURRENT_NOTICE_VERSION },
          ],
        },
      },
      { token },
    );
    expect([malformed.status, malformed.error?.code]).toEqual([400, 'invalid_input']);
  });

  it('a merge moves the duplicate’s consent to the survivor: the later of the two states holds', async () => {
    const api = hubApi(hub, { token });
    const register = async (name: string) =>
      (
        await must(
          api.call(endpoints.registerCustomer, {
            body: { id: newId(), name, phone: `136${unique().padStart(8, '0').slice(-8)}` },
          }),
        )
      ).customer.id;
    const survivor = await register('吴敏');
    const duplicate = await register('吴敏');
    // The survivor withdrew on 1 Dec; the duplicate agreed later, on 3 Dec.
    await post([
      await change({ customerId: survivor, granted: false, at: '2026-12-01T08:00:00.000Z' }),
    ]);
    await post([
      await change({ customerId: duplicate, granted: true, at: '2026-12-03T08:00:00.000Z' }),
    ]);
    const merged = await must(
      hubApi(hub).call(endpoints.mergeCustomers, {
        body: { sourceId: duplicate, targetId: survivor },
      }),
    );
    const expected = {
      granted: true,
      at: '2026-12-03T08:00:00.000Z',
      noticeVersion: CURRENT_NOTICE_VERSION,
    };
    expect(merged.customer.marketingConsent).toEqual(expected);
    expect(
      (await customerFeed(hub, token)).find((p) => p.id === survivor)?.marketingConsent,
    ).toEqual(expected);
    // A change a counter queued for the duplicate before it heard of the merge lands on the survivor.
    const late = await change({
      customerId: duplicate,
      granted: false,
      at: '2026-12-04T08:00:00.000Z',
    });
    expect((await post([late]))[0]!.status).toBe('accepted');
    expect(
      (await customerFeed(hub, token)).find((p) => p.id === survivor)?.marketingConsent?.granted,
    ).toBe(false);
  });

  it('erasing the member clears the consent history and state; a late change for them is refused', async () => {
    await must(
      hubApi(hub).call(endpoints.adminEraseCustomer, {
        params: { id: customerId },
        body: { reason: 'customer request' },
      }),
    );
    const late = await change({ at: '2026-12-03T10:00:00.000Z' });
    expect((await post([late]))[0]).toMatchObject({ status: 'rejected', code: 'customer_gone' });

    await hub.stop();
    const db = await openDatabase({ databaseUrl: hub.options.databaseUrl, dataDir: hub.dataDir });
    try {
      const count = async (sql: string) => (await db.query<{ n: number }>(sql, [customerId]))[0]!.n;
      expect(
        await count(
          'select count(*)::int as n from marketing_consent_events where customer_id = $1',
        ),
      ).toBe(0);
      expect(
        await count('select count(*)::int as n from marketing_consents where customer_id = $1'),
      ).toBe(0);
      expect(
        await count(`select count(*)::int as n from customers where id = $1 and consent_marketing`),
      ).toBe(0);
      const [saves] = await db.query<{ n: number }>(
        `select count(*)::int as n from audit_log where action = 'outreach_settings_saved'`,
      );
      // One over REST, two through hub:admin --url (also REST: the CLI's door is the API's).
      expect(saves!.n).toBe(3);
    } finally {
      await db.close();
    }
  });
});
