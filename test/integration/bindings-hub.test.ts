import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { DEFAULT_BINDING_RULES, endpoints, type BindingRules } from '../../shared/protocol';
import { hubApi, must } from '../support/api';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { TEST_ADMIN_KEY, type HubProcess } from '../support/hub-process';
import { runAdminCliHere } from '../support/run-cli';
import { customerFeed, unique } from '../support/seed';

/**
 * The guide's own customers through a real hub process: head office's rules over the admin API,
 * a registration that binds, the binding in the terminal's customer feed, the manager's transfer
 * (PIN checked at the hub, audited) and the release when IT deactivates the guide.
 */
describeOnBackends('customer bindings through the hub', (backend) => {
  let hub: HubProcess;
  let store: StoreFixture;
  let token: string;
  let customerId: string;

  beforeAll(async () => {
    hub = await backend.startHub();
    store = await createStoreFixture(hub);
    token = store.terminals[0]!.token;
  });
  afterAll(async () => backend.cleanup());

  const feedBinding = async () =>
    (await customerFeed(hub, token)).find((p) => p.id === customerId)?.binding;

  it('head office reads and sets the rules over the admin API; a malformed rule set is refused', async () => {
    const admin = hubApi(hub);
    expect(await must(admin.call(endpoints.adminGetBindingRules))).toEqual(DEFAULT_BINDING_RULES);
    const saved = await must(
      admin.call(endpoints.adminSetBindingRules, {
        body: { registeredBy: true, servedAndBought: 'seller', expiryDays: 90 },
      }),
    );
    expect(saved).toEqual({ registeredBy: true, servedAndBought: 'seller', expiryDays: 90 });
    expect(await must(admin.call(endpoints.adminGetBindingRules))).toEqual(saved);
    // The client sends what it is given; the hub's schema is what refuses it.
    const refused = await admin.call(endpoints.adminSetBindingRules, {
      body: {
        registeredBy: true,
        servedAndBought: 'first',
        expiryDays: 0,
      } as unknown as BindingRules,
    });
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error.status).toBe(400);
    expect(await must(admin.call(endpoints.adminGetBindingRules))).toEqual(saved);
  });

  it('a registration binds the member to the guide who registered them, and the feed says so', async () => {
    const api = hubApi(hub, { token });
    const answer = await must(
      api.call(endpoints.registerCustomer, {
        body: {
          id: newId(),
          name: '林小雨',
          phone: `137${unique().padStart(8, '0').slice(-8)}`,
          guideId: store.guide.id,
        },
      }),
    );
    customerId = answer.customer.id;
    expect(answer.customer.binding).toMatchObject({
      guideId: store.guide.id,
      guideName: store.guide.name,
    });
    expect(await feedBinding()).toEqual(answer.customer.binding);
  });

  it('the manager transfers the customer with their PIN; a wrong PIN is refused; the transfer is audited', async () => {
    const api = hubApi(hub, { token });
    const request = {
      id: newId(),
      toGuideId: store.guide2.id,
      managerId: store.manager.id,
      managerPin: '000000',
    };
    const wrong = await api.call(endpoints.transferBinding, {
      params: { id: customerId },
      body: request,
    });
    expect(wrong.ok).toBe(false);
    expect(!wrong.ok && wrong.error.reason).toBe('wrong_pin');
    expect((await feedBinding())?.guideId).toBe(store.guide.id);

    const body = { ...request, managerPin: store.manager.pin };
    const done = await must(
      api.call(endpoints.transferBinding, { params: { id: customerId }, body }),
    );
    expect(done.status).toBe('transferred');
    expect(done.binding).toMatchObject({ guideId: store.guide2.id, guideName: store.guide2.name });
    const again = await must(
      api.call(endpoints.transferBinding, { params: { id: customerId }, body }),
    );
    expect(again.status).toBe('duplicate');
    expect(await feedBinding()).toEqual(done.binding);

    const audit = await must(
      hubApi(hub).call(endpoints.adminAudit, { query: { customerId, limit: 100 } }),
    );
    const transfers = audit.items.filter((e) => e.action === 'binding_transferred');
    expect(transfers).toHaveLength(1);
    expect(transfers[0]).toMatchObject({
      source: 'hub',
      guide: { id: store.manager.id, name: store.manager.name },
    });
  });

  it('deactivating the bound guide releases the customer to the store pool in the feed', async () => {
    await must(
      hubApi(hub).call(endpoints.adminDeactivateGuide, { params: { id: store.guide2.id } }),
    );
    expect(await feedBinding()).toBeNull();
  });
  it('hub:admin set-binding-rules changes only the options given; a bad value is a usage error', async () => {
    const cli = (...args: string[]) =>
      runAdminCliHere([...args, '--url', hub.url, '--json'], {
        HUB_ADMIN_KEY: TEST_ADMIN_KEY,
      });
    const before = await cli('binding-rules');
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout)).toEqual({
      registeredBy: true,
      servedAndBought: 'seller',
      expiryDays: 90,
    });
    const set = await cli('set-binding-rules', '--registered-by', 'no', '--expiry-days', 'never');
    expect(set.stderr).toBe('');
    expect(JSON.parse(set.stdout)).toEqual({
      registeredBy: false,
      servedAndBought: 'seller',
      expiryDays: null,
    });
    const bad = await cli('set-binding-rules', '--served-and-bought', 'whoever');
    expect(bad.code).toBe(2);
    expect(await must(hubApi(hub).call(endpoints.adminGetBindingRules))).toEqual({
      registeredBy: false,
      servedAndBought: 'seller',
      expiryDays: null,
    });
  });
});
