import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { TerminalDb } from '../data/database';
import { initialSyncState } from '../data/sync-state';
import { toCachedCustomer } from '../data/customer-rows';
import { makeProfile, testSealer } from '../data/testing';
import { boot, enrol, needsUpgrade } from './bootstrap';
import { recordingBridge, terminalInfoFor } from '../testing/test-harness';
import { readTerminalInfo, writeTerminalInfo } from './terminal-info-cache';
import { memoryStorage } from '../testing/memory-storage';

/** A terminal enrolled earlier: secrets in the bridge, its info in local storage, no database. */
async function enrolledTerminal() {
  const bridge = recordingBridge();
  const storage = memoryStorage();
  const info = terminalInfoFor(newId());
  await bridge.setSecret('terminalToken', 'token-0123456789abcdef');
  await bridge.setSecret('phoneHashKey', info.phoneHashKey);
  writeTerminalInfo(storage, info);
  return { bridge, storage, indexedDB: new IDBFactory(), info };
}

describe('bootstrap', () => {
  it('a fresh terminal goes to Connect', async () => {
    const state = await boot({
      bridge: recordingBridge(),
      storage: memoryStorage(),
      indexedDB: new IDBFactory(),
      keyRange: IDBKeyRange,
      onRevoked: () => undefined,
    });
    expect(state.stage).toBe('connect');
  });

  it('without an OS-protected data key, stops on a visible message and opens no database', async () => {
    const { bridge, storage, indexedDB } = await enrolledTerminal();
    const message = 'OS encryption (safeStorage) is unavailable';
    bridge.dataKey = async () => ({ ok: false, error: { code: 'unavailable', message } });
    const state = await boot({
      bridge,
      storage,
      indexedDB,
      keyRange: IDBKeyRange,
      onRevoked: () => undefined,
    });
    expect(state).toEqual({ stage: 'failed', message });
    expect(await indexedDB.databases()).toEqual([]);
  });

  it('an enrolled, synced terminal starts straight into the shell with the hub unreachable', async () => {
    // Its hub URL is 127.0.0.1:1, where nothing listens.
    const { bridge, storage, indexedDB, info } = await enrolledTerminal();
    // The phone-hash key never goes to local storage.
    expect(JSON.stringify(readTerminalInfo(storage))).not.toContain(info.phoneHashKey);
    const db = new TerminalDb(info.terminalId, {
      indexedDB,
      keyRange: IDBKeyRange,
      sealer: testSealer(),
    });
    const at = new Date().toISOString();
    await db.syncState.bulkPut([
      { ...initialSyncState('customers'), lastSuccessAt: at },
      { ...initialSyncState('staff'), lastSuccessAt: at },
    ]);
    db.close();
    const state = await boot({
      bridge,
      storage,
      indexedDB,
      keyRange: IDBKeyRange,
      onRevoked: () => undefined,
    });
    expect(state.stage).toBe('ready');
    if (state.stage === 'ready') {
      expect(state.services.terminal.store.name).toBe(info.store.name);
      expect(state.services.phoneHashKey).toBe(info.phoneHashKey);
    }
  });

  it('says so before a long local-database upgrade, and only when one is due', async () => {
    const { bridge, storage, indexedDB, info } = await enrolledTerminal();
    // The database as the previous app version left it (v4: one row per customer).
    const v4 = new TerminalDb(info.terminalId, {
      sealer: testSealer(),
      indexedDB,
      keyRange: IDBKeyRange,
      upToVersion: 4,
    });
    const at = new Date().toISOString();
    await v4.syncState.bulkPut([
      { ...initialSyncState('customers'), lastSuccessAt: at },
      { ...initialSyncState('staff'), lastSuccessAt: at },
    ]);
    await v4.table('customers').put(toCachedCustomer(await makeProfile({ name: '王芳' })));
    v4.close();
    expect(await needsUpgrade(indexedDB, info.terminalId)).toBe(true);

    let told = 0;
    const deps = {
      bridge,
      storage,
      indexedDB,
      keyRange: IDBKeyRange,
      onRevoked: () => undefined,
      onUpgrading: () => void told++,
    };
    const first = await boot(deps);
    expect(told).toBe(1);
    expect(first.stage).toBe('ready');
    if (first.stage !== 'ready') return;
    expect(await first.services.db.customerStore.count()).toBe(1);
    first.services.db.close();

    // Upgraded: the next start says nothing.
    expect(await needsUpgrade(indexedDB, info.terminalId)).toBe(false);
    const second = await boot(deps);
    expect(told).toBe(1);
    if (second.stage === 'ready') second.services.db.close();
    // A terminal with no database yet has nothing to upgrade.
    expect(await needsUpgrade(indexedDB, newId())).toBe(false);
  });

  it('enrolling against an unreachable hub stores nothing', async () => {
    const bridge = recordingBridge();
    const storage = memoryStorage();
    const deployment = { hubUrl: null, source: 'none' as const, enrolled: false };
    const result = await enrol({ bridge, storage, onRevoked: () => undefined }, deployment, {
      hubUrl: 'http://127.0.0.1:1',
      token: 'token-0123456789abcdef',
    });
    expect(!result.ok && result.error.kind).toBe('unreachable');
    expect(await bridge.getSecret('terminalToken')).toEqual({ ok: true, value: null });
    expect(readTerminalInfo(storage)).toBeNull();
  });
});
