import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import {
  endpoints,
  type AuditEntryWire,
  type AuditPage,
  type AuditQuery,
} from '../../shared/protocol';
import { callRoute } from '../support/api';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { rawCall, routePath } from '../support/http';
import { TEST_ADMIN_KEY, type HubProcess } from '../support/hub-process';
import { runAdminCliHere } from '../support/run-cli';

const DAY_MS = 86_400_000;
const RETENTION_DAYS = 400;

/** A UTC calendar day `n` days from `day` (YYYY-MM-DD). */
const plusDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

describeOnBackends('audit you can read', (backend) => {
  let hub: HubProcess;
  let shanghai: StoreFixture;
  let berlin: StoreFixture;
  const customer = newId();
  const otherCustomer = newId();
  // Ten days ago, so every entry is well inside the retention whenever the suite runs.
  const day = new Date(Date.now() - 10 * DAY_MS).toISOString().slice(0, 10);
  const next = plusDays(day, 1);
  const ids = {
    morning: newId(), // `day` 09:30 in Shanghai
    lateNight: newId(), // `day` 23:59 in Shanghai, on the second counter, by the second guide
    afterMidnight: newId(), // `next` 00:01 in Shanghai
    berlin: newId(), // `day` 23:30 UTC: already `next` in Berlin
    other: newId(), // another customer, same guide
    signIn: newId(), // no customer
    old: newId(), // past the retention: the sweep deletes it
    kept: newId(), // a day inside the retention: kept
  };
  const at = {
    morning: `${day}T01:30:00.000Z`,
    lateNight: `${day}T15:59:00.000Z`,
    afterMidnight: `${day}T16:01:00.000Z`,
    berlin: `${day}T23:30:00.000Z`,
    other: `${day}T02:00:00.000Z`,
    signIn: `${day}T01:00:00.000Z`,
  };

  beforeAll(async () => {
    hub = await backend.startHub({
      env: { HUB_AUDIT_RETENTION_DAYS: String(RETENTION_DAYS), HUB_AUDIT_PRUNE_MS: '200' },
    });
    shanghai = await createStoreFixture(hub, { name: '上海南京西路店' });
    berlin = await createStoreFixture(hub, { name: 'Berlin Mitte', timezone: 'Europe/Berlin' });
  });
  afterAll(() => backend.cleanup());

  const post = async (store: StoreFixture, terminal: number, entries: AuditEntryWire[]) => {
    const r = await callRoute(
      hub,
      endpoints.postAudit,
      { body: { entries } },
      { token: store.terminals[terminal]!.token },
    );
    expect(r.status).toBe(200);
    return r.body.results.map((x) => x.status);
  };
  const view = (id: string, guideId: string, customerId: string, when: string): AuditEntryWire => ({
    id,
    action: 'profile_opened',
    guideId,
    customerId,
    at: when,
  });
  const audit = (query: Partial<AuditQuery>) => callRoute(hub, endpoints.adminAudit, { query });

  it('terminals post views (and a sign-in); the admin API answers who, when, where for the customer', async () => {
    expect(
      await post(shanghai, 0, [
        view(ids.morning, shanghai.guide.id, customer, at.morning),
        view(ids.afterMidnight, shanghai.guide.id, customer, at.afterMidnight),
        view(ids.other, shanghai.guide.id, otherCustomer, at.other),
        {
          id: ids.signIn,
          action: 'sign_in',
          guideId: shanghai.guide.id,
          customerId: null,
          at: at.signIn,
        },
      ]),
    ).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    expect(
      await post(shanghai, 1, [view(ids.lateNight, shanghai.guide2.id, customer, at.lateNight)]),
    ).toEqual(['accepted']);
    expect(await post(berlin, 0, [view(ids.berlin, berlin.guide.id, customer, at.berlin)])).toEqual(
      ['accepted'],
    );

    const all = await audit({ customerId: customer });
    expect(all.status).toBe(200);
    expect(all.body.hasMore).toBe(false);
    // Newest first; every view of this customer and nothing else.
    expect(all.body.items.map((r) => r.id)).toEqual([
      ids.berlin,
      ids.afterMidnight,
      ids.lateNight,
      ids.morning,
    ]);
    expect(all.body.items[2]).toEqual({
      id: ids.lateNight,
      action: 'profile_opened',
      source: 'terminal',
      at: at.lateNight,
      receivedAt: expect.stringMatching(/Z$/),
      customerId: customer,
      guide: { id: shanghai.guide2.id, name: '李娜' },
      store: { id: shanghai.storeId, name: '上海南京西路店', timezone: 'Asia/Shanghai' },
      terminal: { id: shanghai.terminals[1]!.id, name: 'Counter 2' },
      detail: null,
    });
    expect(all.body.items[0]!.store?.name).toBe('Berlin Mitte');

    // A day is the store's local day: `day` in Shanghai ends at 16:00 UTC, in Berlin at 23:00.
    const onDay = await audit({ customerId: customer, from: day, to: day });
    expect(onDay.body.items.map((r) => r.id)).toEqual([ids.lateNight, ids.morning]);
    const onNext = await audit({ customerId: customer, from: next, to: next });
    expect(onNext.body.items.map((r) => r.id)).toEqual([ids.berlin, ids.afterMidnight]);
    // Instants bound exactly (inclusive).
    const between = await audit({
      customerId: customer,
      from: at.lateNight,
      to: at.afterMidnight,
    });
    expect(between.body.items.map((r) => r.id)).toEqual([ids.afterMidnight, ids.lateNight]);

    const capped = await audit({ customerId: customer, limit: 1 });
    expect(capped.body.items.map((r) => r.id)).toEqual([ids.berlin]);
    expect(capped.body.hasMore).toBe(true);
  });

  it("answers for a guide: what they looked at, within date bounds, other guides' views left out", async () => {
    const r = await audit({ guideId: shanghai.guide.id, from: day, to: day });
    expect(r.status).toBe(200);
    expect(r.body.items.map((x) => [x.id, x.action, x.customerId])).toEqual([
      [ids.other, 'profile_opened', otherCustomer],
      [ids.morning, 'profile_opened', customer],
      [ids.signIn, 'sign_in', null],
    ]);
    // Without an upper bound the guide's trail reaches today: IT created the guide (admin API).
    const later = await audit({ guideId: shanghai.guide.id, from: next });
    expect(later.body.items.map((x) => [x.action, x.source])).toEqual([
      ['guide_created', 'admin_rest'],
      ['profile_opened', 'terminal'],
    ]);
    expect(later.body.items[1]!.id).toBe(ids.afterMidnight);
  });

  it('refuses a bad query with 400 naming the problem, and a call without the admin key with 401', async () => {
    const neither = await audit({ limit: 10 });
    expect(neither.status).toBe(400);
    expect(neither.error?.code).toBe('invalid_input');
    expect(JSON.stringify(neither.error?.details)).toContain('exactly one');
    expect((await audit({ customerId: customer, guideId: shanghai.guide.id })).status).toBe(400);
    expect(
      (await audit({ terminalId: shanghai.terminals[0]!.id, guideId: shanghai.guide.id })).status,
    ).toBe(400);
    for (const bad of [
      { customerId: 'not-a-uuid' },
      { customerId: customer, from: 'yesterday' },
      { customerId: customer, to: '2026-02-30' },
      { customerId: customer, limit: 0 },
      { customerId: customer, limit: 1001 },
    ]) {
      const r = await audit(bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.error?.code, JSON.stringify(bad)).toBe('invalid_input');
    }
    // credential probes, raw on purpose: no admin key, and a terminal's token (no admin key)
    const path = routePath(endpoints.adminAudit, undefined, { customerId: customer });
    const unauthenticated = await rawCall(hub, 'GET', path);
    expect(unauthenticated.status).toBe(401);
    const asTerminal = await rawCall(hub, 'GET', path, undefined, {
      token: shanghai.terminals[0]!.token,
    });
    expect(asTerminal.status).toBe(401);
  });

  it('deletes entries past HUB_AUDIT_RETENTION_DAYS in its periodic sweep, keeps the rest', async () => {
    const now = Date.now();
    const oldAt = new Date(now - (RETENTION_DAYS + 30) * DAY_MS).toISOString();
    const keptAt = new Date(now - (RETENTION_DAYS - 30) * DAY_MS).toISOString();
    expect(
      await post(shanghai, 0, [
        view(ids.old, shanghai.guide.id, customer, oldAt),
        view(ids.kept, shanghai.guide.id, customer, keptAt),
      ]),
    ).toEqual(['accepted', 'accepted']);
    // The sweep runs every 200 ms here; poll (bounded) until the old entry is gone.
    let remaining: string[] = [];
    for (let i = 0; i < 300; i++) {
      const r = await audit({ customerId: customer, to: keptAt });
      remaining = r.body.items.map((x) => x.id);
      if (!remaining.includes(ids.old)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(remaining).toEqual([ids.kept]);
    // Its log line comes through the hub's stdout pipe, which may lag the answer: wait, bounded.
    await expect
      .poll(() => hub.logs.some((l) => l.msg === 'audit entries past retention deleted'), {
        timeout: 10_000,
      })
      .toBe(true);
    // Recent entries are untouched.
    expect((await audit({ customerId: customer, from: day })).body.items).toHaveLength(4);
  });

  it('hub:admin audit prints a readable table over --url, JSON with --json, and works directly', async () => {
    const env = { HUB_ADMIN_KEY: TEST_ADMIN_KEY };
    const table = await runAdminCliHere(
      ['audit', '--customer', customer, '--from', day, '--to', day, '--url', hub.url],
      env,
    );
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^WHEN \(store time\)\s+ACTION\s+BY\s+GUIDE\s+STORE\s+TERMINAL$/);
    expect(lines[2]).toMatch(/profile_opened\s+terminal\s+李娜/);
    expect(lines[2]).toContain(`${day} 23:59:00 +08:00`);
    expect(lines[2]).toContain('李娜');
    expect(lines[2]).toContain('上海南京西路店');
    expect(lines[2]).toContain('Counter 2');
    expect(lines[3]).toContain(`${day} 09:30:00 +08:00`);
    expect(lines[3]).toContain('王芳');
    expect(lines.at(-1)).toBe(`2 entries for customer ${customer}, newest first`);

    const json = await runAdminCliHere(
      ['audit', '--guide', berlin.guide.id, '--url', hub.url, '--json'],
      env,
    );
    expect(json.code).toBe(0);
    const page = JSON.parse(json.stdout) as AuditPage;
    expect(page.items.map((r) => [r.action, r.store?.name, r.terminal?.name ?? null])).toEqual([
      ['guide_created', 'Berlin Mitte', null],
      ['profile_opened', 'Berlin Mitte', 'Counter 1'],
    ]);
    expect(page.items[1]!.id).toBe(ids.berlin);

    const usage = await runAdminCliHere(['audit', '--url', hub.url], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain(
      '--customer: give exactly one of customerId, guideId and terminalId',
    );

    // Direct mode: on PGlite only while no hub holds the data dir.
    if (backend.kind === 'pglite') await hub.stop();
    const direct = await runAdminCliHere(
      ['audit', '--guide', shanghai.guide2.id, '--json'],
      hub.options.databaseUrl
        ? { DATABASE_URL: hub.options.databaseUrl }
        : { HUB_DATA_DIR: hub.dataDir },
    );
    expect(direct.stderr).toBe('');
    expect(direct.code).toBe(0);
    const directPage = JSON.parse(direct.stdout) as AuditPage;
    expect(
      directPage.items.map((r) => [r.action, r.source, r.guide?.name, r.terminal?.name ?? null]),
    ).toEqual([
      ['guide_created', 'admin_rest', '李娜', null],
      ['profile_opened', 'terminal', '李娜', 'Counter 2'],
    ]);
    expect(directPage.items[1]!.id).toBe(ids.lateNight);
  });
});
