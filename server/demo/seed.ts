import { Faker, base, en, zh_CN } from '@faker-js/faker';
import { ensurePhoneHashKey } from '../customers/phone-key';
import { verifyPin } from '../../shared/domain/pin-verifier';
import { nativeScrypt } from '../staff/native-scrypt';
import { crmCustomer, productUpsert, type AdminChannel } from '../../shared/protocol';
import {
  createGuide,
  createStore,
  createTerminal,
  reissueTerminalToken,
  rotateAdminKey,
  rotateIntegrationKey,
} from '../admin/service';
import { SETTING_ADMIN_KEY, SETTING_INTEGRATION_KEY } from '../auth/guards';
import { secretMatches } from '../auth/secrets';
import { upsertProducts } from '../catalog/service';
import { upsertCrmCustomers } from '../customers/crm';
import { changeFeedTransaction, type Db, type Queryable } from '../db/database';
import { migrate } from '../db/migrate';
import { materializeAllFeedJson } from '../sync/feed-json';
import { buildDemoProducts } from './catalog';
import { DEMO_STORES } from './chain';
import { readCredentials, writeCredentials, type DemoCredentials } from './credentials';
import { buildDemoCustomers, type DemoCustomer } from './customers';
import { seedBindings } from './bindings';
import { seedHistory } from './history';
import { seedOnlineOrders } from './online-orders';
import { seedFollowUps } from './follow-ups';
import { loadOutreachSettings, saveOutreachSettings } from '../outreach/settings';

export const DEFAULT_CUSTOMERS = 20_000;
/** Fixed, so customer i, its phone and its online trail are the same on every run. */
const FAKER_SEED = 20_261_122;
/** The seed runs on the database directly, like `hub:admin` without `--url` (its audit door). */
const SEED_CHANNEL = 'admin_cli' satisfies AdminChannel;
/** The demo chain's mini-store link (outreach QR codes); a real chain sets its own. */
const DEMO_MINI_STORE_URL = 'https://m.shopguide.example/p/{styleCode}?sku={sku}&guide={guideId}';
const SAMPLES_PER_STORE = 25;

export type SeedOptions = {
  customers: number;
  credentialsPath: string;
  hubUrl: string;
  /** seed a week of footfall, visits and orders for the dashboard (first run only) */
  history?: boolean;
  log?: (message: string) => void;
};

export type Tally = { accepted: number; duplicate: number; rejected: number };
export type SeedSummary = {
  stores: number;
  products: Tally;
  customers: Tally;
  onlineUpdated: number;
  history: 'seeded' | 'kept' | 'skipped';
  credentials: DemoCredentials;
};

const tally = (results: readonly { status: keyof Tally }[], into: Tally) => {
  for (const r of results) into[r.status] += 1;
};

async function keyStillValid(db: Queryable, setting: string, key: string | undefined) {
  if (!key) return false;
  const rows = await db.query<{ value: string }>('select value from settings where key = $1', [
    setting,
  ]);
  return rows[0] ? secretMatches(key, rows[0].value) : false;
}

/**
 * Seeds the demo chain into an open hub database. Idempotent: fixed ids, CRM ids and SKUs mean a
 * re-run updates rows in place (and moves nothing in the feeds when nothing changed); keys and
 * terminal tokens from the previous credentials file are kept while they still work.
 */
export async function seedDemo(db: Db, options: SeedOptions): Promise<SeedSummary> {
  const log = options.log ?? (() => undefined);
  await migrate(db);
  await ensurePhoneHashKey(db);
  const previous = readCredentials(options.credentialsPath);

  const faker = new Faker({ locale: [zh_CN, en, base] });
  faker.seed(FAKER_SEED);
  // Birthdays are drawn relative to this date, not today, so they do not drift between runs.
  faker.setDefaultRefDate(new Date('2026-01-01T00:00:00Z'));

  // Stores, guides, terminals.
  for (const s of DEMO_STORES)
    await createStore(
      db,
      {
        id: s.id,
        name: s.name,
        timezone: s.timezone,
        lat: s.lat,
        lng: s.lng,
        geofenceRadiusM: s.geofenceRadiusM,
        region: s.region,
      },
      SEED_CHANNEL,
    );
  // PIN hashing is deliberately slow (scrypt): hash in parallel (native scrypt runs on the thread
  // pool) and skip guides that are already exactly as seeded.
  await Promise.all(
    DEMO_STORES.flatMap((s) =>
      s.guides.map(async (g) => {
        const [row] = await db.query<{
          name: string;
          role: string;
          pin_hash: string;
          active: boolean;
        }>('select name, role, pin_hash, active from guides where id = $1', [g.id]);
        const same =
          row &&
          row.active &&
          row.name === g.name &&
          row.role === g.role &&
          (await verifyPin(g.pin, row.pin_hash, { scrypt: nativeScrypt }));
        if (!same)
          await createGuide(
            db,
            { id: g.id, storeId: s.id, name: g.name, role: g.role, pin: g.pin },
            SEED_CHANNEL,
          );
      }),
    ),
  );
  const previousTokens = new Map(
    (previous?.stores ?? []).flatMap((s) => s.terminals.map((t) => [t.id, t.token] as const)),
  );
  const terminalTokens = new Map<string, string>();
  for (const s of DEMO_STORES) {
    for (const t of s.terminals) {
      const [row] = await db.query<{ token_hash: string; revoked_at: string | null }>(
        'select token_hash, revoked_at::text from terminals where id = $1',
        [t.id],
      );
      const old = previousTokens.get(t.id);
      if (row && !row.revoked_at && old && secretMatches(old, row.token_hash)) {
        terminalTokens.set(t.id, old);
      } else if (row) {
        terminalTokens.set(t.id, (await reissueTerminalToken(db, t.id, SEED_CHANNEL)).token);
      } else {
        terminalTokens.set(
          t.id,
          (await createTerminal(db, { id: t.id, storeId: s.id, name: t.name }, SEED_CHANNEL)).token,
        );
      }
    }
  }
  log(`stores: ${DEMO_STORES.length}, guides and terminals ready`);

  const integrationKey = (await keyStillValid(
    db,
    SETTING_INTEGRATION_KEY,
    previous?.integrationKey,
  ))
    ? previous!.integrationKey
    : await rotateIntegrationKey(db, SEED_CHANNEL);
  const adminKey = (await keyStillValid(db, SETTING_ADMIN_KEY, previous?.adminKey))
    ? previous!.adminKey
    : await rotateAdminKey(db, SEED_CHANNEL);

  // Catalog.
  const storeIds = DEMO_STORES.map((s) => s.id);
  const products = buildDemoProducts(faker, storeIds);
  const productTally: Tally = { accepted: 0, duplicate: 0, rejected: 0 };
  for (let i = 0; i < products.length; i += 250) {
    const batch = products.slice(i, i + 250).map((p) => productUpsert.parse(p));
    tally((await upsertProducts(db, batch)).results, productTally);
  }
  log(
    `products: ${products.length} (${productTally.accepted} written, ${productTally.duplicate} unchanged)`,
  );

  // Customers: CRM fields through the customers service, then their online trail.
  const today = new Date(new Date().toISOString().slice(0, 10));
  const customers = buildDemoCustomers(faker, options.customers, DEMO_STORES, products, today);
  const customerTally: Tally = { accepted: 0, duplicate: 0, rejected: 0 };
  let onlineUpdated = 0;
  for (let i = 0; i < customers.length; i += 1000) {
    const batch = customers.slice(i, i + 1000);
    const outcome = await upsertCrmCustomers(
      db,
      batch.map((c) => crmCustomer.parse(c.crm)),
    );
    tally(outcome.results, customerTally);
    onlineUpdated += await writeOnlineSummaries(db, batch);
    if (customers.length > 2000)
      log(`customers: ${Math.min(i + 1000, customers.length)}/${customers.length}`);
  }
  log(
    `customers: ${customers.length} (${customerTally.accepted} written, ${customerTally.duplicate} unchanged, ${customerTally.rejected} rejected)`,
  );

  const history =
    options.history === false
      ? 'skipped'
      : await seedHistory(db, { faker, products, customers, log });
  // The history's sales moved stock (issue #16: sales move store_products.stock); the demo
  // figures are the books as of today, after that history, as a stock-take would set them.
  if (history === 'seeded')
    for (let i = 0; i < products.length; i += 250)
      await upsertProducts(
        db,
        products.slice(i, i + 250).map((p) => productUpsert.parse(p)),
      );
  // Time in store (#16 item 6): the seeded visits last a while, buyers longer (12–29 minutes)
  // than the others (3–14), by each visit's id, so the dashboard's medians mean something.
  if (history === 'seeded')
    await db.query(
      `update visits set last_seen_at = started_at + interval '1 minute' * (
         case when converted_at is not null then 12 + abs(hashtext(id::text)) % 18
              else 3 + abs(hashtext(id::text)) % 12 end)
        where customer_id is not null and started_at < now() - interval '1 hour'`,
    );
  // Outreach (#15 item 4): a demo mini-store link, so the 发送推荐 screen draws its QR codes.
  if ((await loadOutreachSettings(db)).miniStoreUrlPattern === null)
    await saveOutreachSettings(db, { miniStoreUrlPattern: DEMO_MINI_STORE_URL }, SEED_CHANNEL);
  log(`bindings (专属导购): ${await seedBindings(db, customers)} sample customers given a guide`);
  // Online orders credited on that history (claimed visits, bound guides), refunds among them.
  if (history !== 'skipped') await seedOnlineOrders(db, { faker, products, customers, log });
  // #15: no-purchase reasons and follow-up tasks over the seeded week (with the history only, so
  // a re-run changes nothing; the running hub's sweep generates from then on).
  if (history === 'seeded') await seedFollowUps(db, faker, log);
  // A running hub writes the customers' feed JSON in the background (sync/feed-json.ts); the seed
  // does it before it returns, so the first terminal after a seed already gets stored pages.
  log(`feed JSON: ${await materializeAllFeedJson(db)} customers`);

  const credentials: DemoCredentials = {
    integrationKey,
    adminKey,
    hubUrl: options.hubUrl,
    stores: DEMO_STORES.map((s) => ({
      id: s.id,
      name: s.name,
      timezone: s.timezone,
      lat: s.lat,
      lng: s.lng,
      terminals: s.terminals.map((t) => ({
        id: t.id,
        name: t.name,
        token: terminalTokens.get(t.id)!,
      })),
      guides: s.guides.map((g) => ({ id: g.id, name: g.name, pin: g.pin, role: g.role })),
    })),
    sampleCustomers: await sampleCustomers(db, customers),
  };
  writeCredentials(options.credentialsPath, credentials);
  return {
    stores: DEMO_STORES.length,
    products: productTally,
    customers: customerTally,
    onlineUpdated,
    history,
    credentials,
  };
}

/**
 * The online behaviour summary, as head office's integration would have left it. Written in one
 * statement per batch; only rows whose summary actually changes get a new feed sequence.
 */
async function writeOnlineSummaries(db: Db, batch: readonly DemoCustomer[]): Promise<number> {
  const payload = JSON.stringify(batch.map((c) => ({ crm_id: c.crm.crmId, online: c.online })));
  return changeFeedTransaction(db, async (tx) => {
    const rows = await tx.query(
      `update customers c set online = x.online, seq = nextval('change_seq'), updated_at = now()
         from jsonb_to_recordset($1::jsonb) as x(crm_id text, online jsonb)
        where c.crm_id = x.crm_id and c.online is distinct from x.online
        returning c.id`,
      [payload],
    );
    return rows.length;
  });
}

/** The first customers of each home store, for people to try presence, search and 尾号 lookup. */
async function sampleCustomers(db: Queryable, customers: readonly DemoCustomer[]) {
  const chosen: DemoCustomer[] = [];
  for (const s of DEMO_STORES)
    chosen.push(...customers.filter((c) => c.crm.homeStoreId === s.id).slice(0, SAMPLES_PER_STORE));
  const rows = await db.query<{
    id: string;
    crm_id: string;
    name: string;
    member_code: string;
    home_store_id: string | null;
  }>(
    `select id, crm_id, name, member_code, home_store_id from customers
      where crm_id in (select jsonb_array_elements_text($1::jsonb)) and merged_into is null and not deleted`,
    [JSON.stringify(chosen.map((c) => c.crm.crmId))],
  );
  const byCrm = new Map(rows.map((r) => [r.crm_id, r]));
  return chosen.flatMap((c) => {
    const row = byCrm.get(c.crm.crmId);
    return row
      ? [
          {
            id: row.id,
            name: row.name,
            phone: c.phoneNational,
            memberCode: row.member_code,
            homeStoreId: row.home_store_id,
          },
        ]
      : [];
  });
}
