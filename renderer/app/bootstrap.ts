import type { DeploymentInfo, ShopGuideBridge } from '../../shared/bridge';
import type { TerminalInfo } from '../../shared/protocol';
import { TerminalDb, terminalDbName } from '../data/database';
import { LATEST_VERSION } from '../data/migrations';
import { hasSynced } from '../data/sync-state';
import { checkTerminal, type HubCheckError } from '../enrol/hub-check';
import { createHttpHubClient } from '../sync/http-hub-client';
import { SyncEngine } from '../sync/sync-engine';
import { sealAtRest } from '../data/at-rest';
import type { Sealer } from '../data/sealed';
import { bridgeSecretStore } from './bridge-secrets';
import { openDataKey } from './data-key';
import type { AppServices } from '../core/services';
import { clearTerminalInfo, readTerminalInfo, writeTerminalInfo } from './terminal-info-cache';
import { err, ok, type Result } from '../../shared/result';

/** Where the app is in its life: first run, first sync, or working. */
export type BootState =
  /** `upgrading`: the local database is being upgraded to a new version (once per app update) */
  | { stage: 'loading'; upgrading?: boolean }
  | {
      stage: 'connect';
      deployment: DeploymentInfo;
      /** a token IT pre-seeded (config file / served config): validate it without asking */
      preseeded: boolean;
      /** the hub refused this terminal and everything local was wiped */
      revoked: boolean;
    }
  | { stage: 'syncing'; services: AppServices }
  | { stage: 'ready'; services: AppServices }
  | { stage: 'failed'; message: string };

/** Customer page workers (sync/page-worker.ts): pages alternate between them. */
const PAGE_WORKERS = 2;

export type BootDeps = {
  bridge: ShopGuideBridge;
  storage: Storage;
  indexedDB?: IDBFactory;
  keyRange?: typeof IDBKeyRange;
  fetch?: typeof fetch;
  now?: () => Date;
  /** the hub said this terminal is revoked (the engine has wiped the database and secrets) */
  onRevoked(): void;
  /** the local database needs an upgrade before anything shows (can take a while, once) */
  onUpgrading?(): void;
};

/**
 * True when this terminal's database exists at an older version than the code's, so opening it
 * runs migrations (v4 → v5 re-packs every cached customer: ≈ 37 s at 200,000 profiles).
 * Dexie keeps version N as IndexedDB version N × 10.
 */
export async function needsUpgrade(idb: IDBFactory, terminalId: string): Promise<boolean> {
  if (typeof idb.databases !== 'function') return false;
  const found = (await idb.databases()).find((d) => d.name === terminalDbName(terminalId));
  return found?.version !== undefined && found.version < LATEST_VERSION * 10;
}

/** Reads deployment and secrets and decides what to show first. */
export async function boot(deps: BootDeps): Promise<BootState> {
  const deployment = await deps.bridge.deployment();
  if (!deployment.ok) return { stage: 'failed', message: deployment.error.message };
  const [token, key] = await Promise.all([
    deps.bridge.getSecret('terminalToken'),
    deps.bridge.getSecret('phoneHashKey'),
  ]);
  const info = readTerminalInfo(deps.storage);
  const hubUrl = deployment.value.hubUrl;
  if (token.ok && token.value && key.ok && key.value && info && hubUrl) {
    const idb = deps.indexedDB ?? globalThis.indexedDB;
    // The data key first: the database is never opened without it (see data-key.ts).
    const sealer = await openDataKey(deps.bridge);
    if (!sealer.ok) return { stage: 'failed', message: sealer.error };
    if (deps.onUpgrading && (await needsUpgrade(idb, info.terminalId))) deps.onUpgrading();
    const services = buildServices(
      deps,
      hubUrl,
      { ...info, phoneHashKey: key.value },
      sealer.value,
    );
    return (await hasSynced(services.db))
      ? { stage: 'ready', services }
      : { stage: 'syncing', services };
  }
  return {
    stage: 'connect',
    deployment: deployment.value,
    preseeded: token.ok && token.value !== null && hubUrl !== null,
    revoked: false,
  };
}

/**
 * Validates hub + token, then keeps the token and phone-hash key in the bridge's secret storage
 * (never IndexedDB) and the rest of the terminal's identity in local storage for offline starts.
 */
export async function enrol(
  deps: BootDeps,
  deployment: DeploymentInfo,
  input: { hubUrl: string; token: string | null },
): Promise<Result<AppServices, HubCheckError | { kind: 'storage'; message: string }>> {
  let token = input.token?.trim() || null;
  if (token === null) {
    const stored = await deps.bridge.getSecret('terminalToken');
    token = stored.ok ? stored.value : null;
  }
  if (!token) return err({ kind: 'bad_token' });
  const checked = await checkTerminal(input.hubUrl, token, deps.fetch);
  if (!checked.ok) return checked;
  // Before any secret is stored: a PC that cannot protect the data key keeps no customer data.
  const sealer = await openDataKey(deps.bridge);
  if (!sealer.ok) return err({ kind: 'storage', message: sealer.error });
  const { hubUrl, info } = checked.value;
  for (const [name, value] of [
    ['terminalToken', token],
    ['phoneHashKey', info.phoneHashKey],
  ] as const) {
    const saved = await deps.bridge.setSecret(name, value);
    if (!saved.ok) return err({ kind: 'storage', message: saved.error.message });
  }
  writeTerminalInfo(deps.storage, info);
  if (deployment.hubUrl !== hubUrl && deps.bridge.platform === 'electron') {
    // Electron keeps the hub URL in its own config (it also feeds the CSP); it may reload the view,
    // and boot() then finds everything stored above.
    const set = await deps.bridge.setHubUrl(hubUrl);
    if (!set.ok) return err({ kind: 'storage', message: set.error.message });
  }
  return ok(buildServices(deps, hubUrl, info, sealer.value));
}

export function buildServices(
  deps: BootDeps,
  hubUrl: string,
  terminal: TerminalInfo,
  sealer: Sealer,
): AppServices {
  const secrets = bridgeSecretStore(deps.bridge);
  const db = new TerminalDb(terminal.terminalId, {
    sealer,
    ...(deps.indexedDB ? { indexedDB: deps.indexedDB } : {}),
    ...(deps.keyRange ? { keyRange: deps.keyRange } : {}),
  });
  // Load the in-memory customer index now, not at the guide's first search (≈ 0.5 s at 200,000
  // profiles). A failure here is not lost: the first search loads it again and shows its error.
  db.customerStore.warm().catch(() => undefined);
  // A cache an older version kept in clear is sealed now, a slice at a time (data/at-rest.ts);
  // readers take both forms meanwhile, and an interrupted pass resumes at the next start.
  sealAtRest(db).catch((error: unknown) =>
    console.error('sealing the local cache failed; it resumes at the next start', {
      name: error instanceof Error ? error.name : 'unknown',
    }),
  );
  // The customer feed pulled, validated, packed and sealed in the page worker (issue #17 item 4;
  // sync/page-worker.ts), with the data key the database seals with; never with an injected
  // fetch (tests), which the worker could not use.
  const pageWorker =
    deps.fetch || typeof Worker === 'undefined' || !sealer.ready
      ? {}
      : {
          customerPageWorker: {
            createWorker: () =>
              new Worker(new URL('../sync/page-worker.ts', import.meta.url), { type: 'module' }),
            keyring: sealer.ready,
            // Two: the warm initial sync of 200,000 members took 23 s against 26 s with one on
            // the 2-core bench machine (docs/benchmarks.md); a store PC has more cores.
            workers: PAGE_WORKERS,
          },
        };
  const hub = createHttpHubClient({
    baseUrl: hubUrl,
    secrets,
    ...pageWorker,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  const now = deps.now ?? (() => new Date());
  const engine = new SyncEngine({
    db,
    hub,
    secrets,
    now,
    onRevoked: () => {
      clearTerminalInfo(deps.storage);
      deps.onRevoked();
    },
  });
  return { bridge: deps.bridge, db, engine, terminal, phoneHashKey: terminal.phoneHashKey, now };
}
