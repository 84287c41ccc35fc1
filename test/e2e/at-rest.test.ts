import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { endpoints } from '../../shared/protocol';
import { RENDERER_OUT, startTerminal, type Terminal } from '../../scripts/start-terminal';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { callRoute } from '../support/api';
import { removeDataDir, startHub, type HubProcess } from '../support/hub-process';
import { customerFeed, unique } from '../support/seed';
import { copyRendererBuild } from './support/shared-builds';
import { CHROMIUM_FLAGS, SCREENSHOT_DIR } from './support/chromium';
import { signIn } from './support/sign-in';

/*
 * Encryption at rest, checked where an attacker would look: the browser profile's IndexedDB files
 * on disk (LevelDB tables and logs, blob files), after the terminal (browser mode, real hub) has
 * synced a customer whose notes and sizes carry unique markers. The lookup keys (member code,
 * name) legitimately stay in clear for the in-memory index; nothing else of the profile may.
 */

let hub: HubProcess;
let store: StoreFixture;
let terminal: Terminal;
let context: BrowserContext;
let profileDir: string;

const tag = unique();
const NOTES = `ATREST-NOTES-${tag}`;
const SIZE = `ATRSZ${tag}`; // sizes are at most 16 characters
const MEMBER = `MATREST${tag}`;
const FILLERS = 149;

/** Every file under a directory (the profile's IndexedDB folder), recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The files under `dir` holding `needle` as Latin-1 (V8's one-byte strings) or UTF-16LE bytes. */
function filesContaining(dir: string, needle: string): string[] {
  const forms = [Buffer.from(needle, 'latin1'), Buffer.from(needle, 'utf16le')];
  return filesUnder(dir).filter((file) => {
    const bytes = readFileSync(file);
    return forms.some((form) => bytes.includes(form));
  });
}

beforeAll(async () => {
  hub = await startHub();
  store = await createStoreFixture(hub);
  const seeded = await callRoute(hub, endpoints.importCustomers, {
    body: {
      customers: [
        {
          crmId: `crm-atrest-${tag}`,
          name: '沈静',
          phone: `139${tag.padStart(8, '0').slice(-8)}`,
          memberCode: MEMBER,
          // homed here: the terminal's store-scoped feed carries her
          homeStoreId: store.storeId,
          tier: 'gold',
          sizes: { top: SIZE },
          notes: NOTES,
        },
        // Enough members after her to fill her block of 100 and start another: the feed's pages
        // are pulled, packed and sealed in the page worker (renderer/sync/page-worker.ts).
        ...Array.from({ length: FILLERS }, (_, i) => ({
          crmId: `crm-atrest-${tag}-${i}`,
          name: `顾客${i}`,
          phone: `138${String(i).padStart(4, '0')}${tag.padStart(4, '0').slice(-4)}`,
          memberCode: `MFILL${tag}${i}`,
          homeStoreId: store.storeId,
          tier: 'silver' as const,
          notes: `常来店里试穿新款，偏爱亚麻和棉质面料，周末下午到店 ${i}`,
        })),
      ],
    },
  });
  expect(seeded.body, JSON.stringify(seeded.body)).toHaveProperty('results');
  expect(new Set(seeded.body.results.map((r) => r.status))).toEqual(new Set(['accepted']));
  expect(seeded.body.results).toHaveLength(1 + FILLERS);
  await copyRendererBuild(RENDERER_OUT);
  terminal = await startTerminal({
    hubUrl: hub.url,
    token: store.terminals[0]!.token,
    port: 0,
    log: () => undefined,
  });
  profileDir = mkdtempSync(join(tmpdir(), 'sg-chromium-at-rest-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_FLAGS,
  });
});

afterAll(async () => {
  await context?.close();
  await terminal?.stop();
  await hub?.stop();
  if (hub) removeDataDir(hub);
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

describe('encryption at rest (browser mode, Chromium profile on disk)', () => {
  it('the hub sends this terminal the markers (so their absence on disk means something)', async () => {
    const feed = await customerFeed(hub, store.terminals[0]!.token);
    const profile = feed.find((p) => p.memberCode === MEMBER);
    expect(profile?.notes).toBe(NOTES);
    expect(profile?.sizes).toMatchObject({ top: SIZE });
  });

  it('after the initial sync, the IndexedDB files hold the lookup keys but no notes or sizes', async () => {
    const page = await context.newPage();
    await page.goto(terminal.url);
    await page.getByRole('heading', { name: '请选择你的名字' }).waitFor({ timeout: 90_000 });
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'e2e-at-rest-synced.png') });
    // The cache has the customer (read through raw IndexedDB, as anything in the origin could).
    const dbName = `shopguide-terminal-${store.terminals[0]!.id}`;
    const keys = await page.evaluate(
      (name) =>
        new Promise<string[]>((resolve, reject) => {
          const open = indexedDB.open(name);
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const get = open.result
              .transaction('customerKeys')
              .objectStore('customerKeys')
              .getAll();
            get.onerror = () => reject(get.error);
            get.onsuccess = () => {
              open.result.close();
              resolve((get.result as { memberCodes: string[] }[]).flatMap((k) => k.memberCodes));
            };
          };
        }),
      dbName,
    );
    expect(keys).toContain(MEMBER);
    expect(keys).toHaveLength(1 + FILLERS);
    // Her block was sealed in the page worker (the page loaded its script)…
    const scripts = await page.evaluate(() =>
      performance.getEntriesByType('resource').map((e) => e.name),
    );
    expect(
      scripts.some((name) => /page-worker/.test(name)),
      scripts.join(' '),
    ).toBe(true);
    // …and opens on the page: the guide finds her and her profile shows the notes.
    await signIn(page, store.guide.name, store.guide.pin);
    await page.getByRole('button', { name: /查找/ }).click();
    await page.getByRole('searchbox', { name: '搜索顾客' }).fill(MEMBER);
    await page.getByRole('list', { name: '查询结果' }).getByRole('button').first().click();
    await page.getByText(NOTES).waitFor({ timeout: 15_000 });
    // Flush IndexedDB to disk: close the browser, then read its files as a thief would.
    await context.close();
    const idbDir = join(profileDir, 'Default', 'IndexedDB');
    expect(filesUnder(idbDir).length).toBeGreaterThan(0);
    // The grep works: the member code (a lookup key, kept in clear) is found on disk…
    expect(filesContaining(idbDir, MEMBER).length).toBeGreaterThan(0);
    // …the notes and the sizes are not, anywhere under the profile's IndexedDB.
    expect(filesContaining(idbDir, NOTES)).toEqual([]);
    expect(filesContaining(idbDir, SIZE)).toEqual([]);
  });
});
