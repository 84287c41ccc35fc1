import { newId } from '../../shared/domain/ids';
import type { AppServices } from '../core/services';
import { TerminalDb } from '../data/database';
import { memorySecretStore } from '../data/secret-store';
import { TEST_PHONE_KEY, testSealer } from '../data/testing';
import { SyncEngine } from '../sync/sync-engine';
import { FakeHub } from './fake-hub';
import { recordingBridge, terminalInfoFor } from './test-harness';

/**
 * What every screen preview page starts from (real IndexedDB in Chromium, the real sync engine
 * over the in-process fake hub, a recording bridge, a fixed clock): a fresh store and terminal.
 */
export function previewServices(now: () => Date) {
  const storeId = newId();
  const hub = new FakeHub(TEST_PHONE_KEY);
  const db = new TerminalDb(newId(), { sealer: testSealer() });
  const secrets = memorySecretStore({ token: 't', phoneHashKey: TEST_PHONE_KEY });
  const engine = new SyncEngine({ db, hub: hub.client(), secrets, now, autoRetry: false });
  const services: AppServices = {
    bridge: recordingBridge(),
    db,
    engine,
    terminal: terminalInfoFor(storeId),
    phoneHashKey: TEST_PHONE_KEY,
    now,
  };
  return { storeId, hub, db, engine, services };
}
