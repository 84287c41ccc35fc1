import { describe, expect, it } from 'vitest';
import { TerminalDb } from './database';
import { LATEST_VERSION } from './migrations';
import { searchCustomers } from './customers';
import { memorySecretStore } from './secret-store';
import { freshIdb, makeProfile, TEST_PHONE_KEY } from './testing';
import { splitProfile } from './customer-rows';

describe('Dexie migrations', () => {
  it('the latest version is 2', () => {
    expect(LATEST_VERSION).toBe(2);
  });

  it('v1 → v2: customers cached before the upgrade become findable by pinyin initials', async () => {
    const idb = freshIdb();
    const v1 = new TerminalDb('term-1', { ...idb, upToVersion: 1 });
    const fang = await makeProfile({ name: '王芳', memberCode: 'M1' });
    const { customer, detail } = splitProfile(fang);
    // Written as v1 wrote it: without the initials field.
    const { initials: _i, ...v1Row } = customer;
    await v1.table('customers').put(v1Row);
    await v1.customerDetails.put(detail);
    await v1.outbox.put({
      id: 'o1',
      kind: 'order',
      status: 'pending',
      createdAt: '2026-11-01T00:00:00Z',
      attempts: 0,
      lastAttemptAt: null,
      syncedAt: null,
      reason: null,
      order: {
        id: 'o1',
        storeId: 's',
        terminalId: 't',
        guideId: 'g',
        paymentMethod: 'cash',
        createdAt: '2026-11-01T00:00:00Z',
        lines: [{ sku: 'A', quantity: 1, unitPrice: 1, discount: 0 }],
      },
    });
    expect(v1.verno).toBe(1);
    v1.close();

    const v2 = new TerminalDb('term-1', idb);
    await v2.open();
    expect(v2.verno).toBe(2);
    const secrets = memorySecretStore({ phoneHashKey: TEST_PHONE_KEY });
    expect((await searchCustomers(v2, secrets, { query: 'wf' })).map((c) => c.id)).toEqual([
      fang.id,
    ]);
    // Everything else survived the upgrade untouched.
    expect((await v2.customers.get(fang.id))?.memberCode).toBe('M1');
    expect((await v2.customerDetails.get(fang.id))?.online.onlineOrders).toBe(2);
    expect((await v2.outbox.get('o1'))?.status).toBe('pending');
    v2.close();
  });

  it('each terminal enrolment gets its own database', async () => {
    const idb = freshIdb();
    const a = new TerminalDb('a', idb);
    const b = new TerminalDb('b', idb);
    await a.customers.put(splitProfile(await makeProfile()).customer);
    expect(await a.customers.count()).toBe(1);
    expect(await b.customers.count()).toBe(0);
    expect(a.name).not.toBe(b.name);
  });
});
