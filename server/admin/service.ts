import { hashPin } from '../../shared/domain/pin-verifier';
import { nativeScrypt } from '../staff/native-scrypt';
import { newId } from '../../shared/domain/ids';
import type { AdminChannel, AdminTerminal, NewGuideRequest, NewStore } from '../../shared/protocol';
import { recordAudit } from '../audit/service';
import { releaseGuideCustomers } from '../bindings/service';
import { SETTING_ADMIN_KEY, SETTING_INTEGRATION_KEY } from '../auth/guards';
import { hashSecret, newSecret } from '../auth/secrets';
import { changeFeedTransaction, lockChangeFeed, type Db, type Queryable } from '../db/database';
import { notifyTerminalRevoked } from '../db/terminal-revocations';
import { HubError, notFound } from '../http/errors';
import { reloadStoreGeofences } from '../presence/store-geofences';

/*
 * Every operation here that changes data takes the admin channel it came through and leaves an
 * audit entry in the same transaction (issue #13: what IT did to which guide, terminal, customer,
 * when, and how). Ids only: never a name, a PIN, a token or a key.
 */

export async function createStore(
  db: Db,
  input: NewStore,
  by: AdminChannel,
): Promise<{ id: string }> {
  const id = input.id ?? newId();
  await changeFeedTransaction(db, async (tx) => {
    await tx.query(
      // A region left out keeps the store's region (an update that does not know of regions);
      // null takes the store out of its region.
      `insert into stores(id, name, timezone, lat, lng, geofence_radius_m, region)
       values ($1,$2,$3,$4,$5,$6,$7)
     on conflict (id) do update set name = excluded.name, timezone = excluded.timezone, lat = excluded.lat,
       lng = excluded.lng, geofence_radius_m = excluded.geofence_radius_m,
       region = case when $8 then excluded.region else stores.region end`,
      [
        id,
        input.name,
        input.timezone,
        input.lat,
        input.lng,
        input.geofenceRadiusM,
        input.region ?? null,
        input.region !== undefined,
      ],
    );
    // Every product gets a (zero-stock) row in the new store's catalog feed.
    await tx.query(
      `insert into store_products(store_id, product_id, stock, seq)
     select $1, p.id, 0, nextval('change_seq') from products p on conflict do nothing`,
      [id],
    );
    await recordAudit(tx, { action: 'store_saved', source: by, storeId: id });
  });
  // Presence and "online nearby" read the stores from memory: they see this one from now on.
  await reloadStoreGeofences(db);
  return { id };
}

export async function listStores(db: Queryable) {
  return db.query<{
    id: string;
    name: string;
    timezone: string;
    lat: number;
    lng: number;
    geofence_radius_m: number;
    region: string | null;
  }>('select id, name, timezone, lat, lng, geofence_radius_m, region from stores order by name');
}

async function requireStore(db: Queryable, storeId: string) {
  const rows = await db.query('select 1 from stores where id = $1', [storeId]);
  if (rows.length === 0) throw notFound(`store ${storeId} not found`);
}

export async function createGuide(
  db: Db,
  input: NewGuideRequest,
  by: AdminChannel,
): Promise<{ id: string }> {
  await requireStore(db, input.storeId);
  const id = input.id ?? newId();
  // scrypt outside the transaction: an embedded database is never held for it.
  const pinHash = await hashPin(input.pin, { scrypt: nativeScrypt });
  await db.transaction(async (tx) => {
    await tx.query(
      `insert into guides(id, store_id, name, role, pin_hash) values ($1,$2,$3,$4,$5)
     on conflict (id) do update set name = excluded.name, role = excluded.role, pin_hash = excluded.pin_hash, active = true`,
      [id, input.storeId, input.name, input.role, pinHash],
    );
    await recordAudit(tx, {
      action: 'guide_created',
      source: by,
      storeId: input.storeId,
      guideId: id,
    });
  });
  return { id };
}

export async function createTerminal(
  db: Db,
  input: { id?: string | undefined; storeId: string; name: string },
  by: AdminChannel,
  token = newSecret('sgt'),
): Promise<{ id: string; storeId: string; name: string; token: string }> {
  await requireStore(db, input.storeId);
  const id = input.id ?? newId();
  const existing = await db.query('select 1 from terminals where id = $1', [id]);
  if (existing.length > 0) throw new HubError(409, 'conflict', `terminal ${id} already exists`);
  await db.transaction(async (tx) => {
    await tx.query('insert into terminals(id, store_id, name, token_hash) values ($1,$2,$3,$4)', [
      id,
      input.storeId,
      input.name,
      hashSecret(token),
    ]);
    await recordAudit(tx, {
      action: 'terminal_created',
      source: by,
      storeId: input.storeId,
      terminalId: id,
    });
  });
  return { id, storeId: input.storeId, name: input.name, token };
}

/** Revokes a terminal; the hash of the token it cut off (the terminal's current one). */
export async function revokeTerminal(
  db: Db,
  terminalId: string,
  by: AdminChannel,
): Promise<{ tokenHash: string }> {
  return db.transaction(async (tx) => {
    const rows = await tx.query<{ id: string; store_id: string; token_hash: string }>(
      `update terminals set revoked_at = coalesce(revoked_at, now()) where id = $1
       returning id, store_id, token_hash`,
      [terminalId],
    );
    const row = rows[0];
    if (!row) throw notFound(`terminal ${terminalId} not found`);
    // Every hub node forgets the terminal's cached principal and drops its sockets at commit, also
    // when this runs in hub:admin's direct mode (server/db/terminal-revocations.ts,
    // auth/terminal-cache.ts, realtime/socket-revocation.ts).
    await notifyTerminalRevoked(tx, row.id);
    await recordAudit(tx, {
      action: 'terminal_revoked',
      source: by,
      storeId: row.store_id,
      terminalId: row.id,
    });
    return { tokenHash: row.token_hash };
  });
}

async function rotateKey(
  db: Db,
  setting: string,
  prefix: string,
  audited: { action: 'integration_key_rotated' | 'admin_key_rotated'; source: AdminChannel },
  value?: string,
): Promise<string> {
  const key = value ?? newSecret(prefix);
  await db.transaction(async (tx) => {
    await tx.query(
      'insert into settings(key, value) values ($1, $2) on conflict (key) do update set value = excluded.value',
      [setting, hashSecret(key)],
    );
    await recordAudit(tx, audited);
  });
  return key;
}

export const rotateIntegrationKey = (db: Db, by: AdminChannel, value?: string) =>
  rotateKey(
    db,
    SETTING_INTEGRATION_KEY,
    'sgi',
    { action: 'integration_key_rotated', source: by },
    value,
  );
export const rotateAdminKey = (db: Db, by: AdminChannel, value?: string) =>
  rotateKey(db, SETTING_ADMIN_KEY, 'sga', { action: 'admin_key_rotated', source: by }, value);

/**
 * Issues a fresh token for an existing terminal and un-revokes it (re-enrolment of the same
 * terminal id, e.g. by the demo seed when the credentials file was lost).
 */
export async function reissueTerminalToken(
  db: Db,
  terminalId: string,
  by: AdminChannel,
  token = newSecret('sgt'),
): Promise<{ id: string; storeId: string; name: string; token: string }> {
  return db.transaction(async (tx) => {
    const rows = await tx.query<{ id: string; store_id: string; name: string }>(
      `update terminals set token_hash = $2, revoked_at = null where id = $1
       returning id, store_id, name`,
      [terminalId, hashSecret(token)],
    );
    const row = rows[0];
    if (!row) throw notFound(`terminal ${terminalId} not found`);
    // The old token stops working on every hub node at commit, as after a revocation: sockets that
    // authenticated with it are dropped (the terminal reconnects with the new one if it has it).
    await notifyTerminalRevoked(tx, row.id);
    // Un-revokes too: as worth recording as the revocation.
    await recordAudit(tx, {
      action: 'terminal_reissued',
      source: by,
      storeId: row.store_id,
      terminalId: row.id,
    });
    return { id: row.id, storeId: row.store_id, name: row.name, token };
  });
}

/** A terminal as IT lists it (shared/protocol/admin.ts, `adminTerminal`). */
export type TerminalRow = AdminTerminal;

/**
 * `last_seen_at` is stamped each time the terminal fetches its info (startup, reconnect), within
 * a second of a socket connect (server/realtime/last-seen.ts), by the hub's 30 s check of
 * connected terminals and by its status reports.
 */
export async function listTerminals(db: Queryable, storeId?: string): Promise<TerminalRow[]> {
  return db.query<TerminalRow>(
    `select id, store_id, name, revoked_at::text, last_seen_at::text, app_version,
            pending_outbox, rejected_outbox, status_at::text from terminals
     where ($1::uuid is null or store_id = $1::uuid) order by store_id, name`,
    [storeId ?? null],
  );
}

/** A guide as IT sees it: no PIN verifier leaves the hub through the admin API. */
export type GuideRow = {
  id: string;
  store_id: string;
  name: string;
  role: 'guide' | 'manager';
  active: boolean;
};

export async function listGuides(db: Queryable, storeId?: string): Promise<GuideRow[]> {
  return db.query<GuideRow>(
    `select id, store_id, name, role, active from guides
     where ($1::uuid is null or store_id = $1::uuid) order by store_id, name, id`,
    [storeId ?? null],
  );
}

/**
 * Deactivates (a leaver) or reactivates a guide. Terminals drop a deactivated guide from sign-in
 * and sign them out at their next staff pull; the caller pushes `staff:changed` to the store.
 * Audited each time it is asked (`guide_deactivated` / `guide_reactivated`), even when the guide
 * already was in that state: the decision is what IT wants to find later. Deactivation releases the
 * guide's bound customers to the store pool (`released` binding events) in the same transaction;
 * reactivation gives none back.
 */
export async function setGuideActive(
  db: Db,
  guideId: string,
  active: boolean,
  by: AdminChannel,
): Promise<{
  id: string;
  storeId: string;
  active: boolean;
  /** customers released to the store pool by this deactivation */
  released: number;
  /** the customer feed's new head when customers were released (for `customers:changed`) */
  customersCursor: string | null;
}> {
  return db.transaction(async (tx) => {
    // A leaver's customers go back to the store pool in this transaction (their profiles change).
    if (!active) await lockChangeFeed(tx);
    const rows = await tx.query<{ id: string; store_id: string; active: boolean }>(
      'update guides set active = $2 where id = $1 returning id, store_id, active',
      [guideId, active],
    );
    const row = rows[0];
    if (!row) throw notFound(`guide ${guideId} not found`);
    await recordAudit(tx, {
      action: active ? 'guide_reactivated' : 'guide_deactivated',
      source: by,
      storeId: row.store_id,
      guideId: row.id,
    });
    const release = active
      ? { released: [], cursor: null }
      : await releaseGuideCustomers(tx, row.id, new Date(), by);
    return {
      id: row.id,
      storeId: row.store_id,
      active: row.active,
      released: release.released.length,
      customersCursor: release.cursor,
    };
  });
}

/**
 * Replaces a guide's PIN verifier (the new PIN follows the rules for new PINs, checked by the
 * caller's schema) and clears the hub's lockout; the old PIN stops working on a terminal once it
 * pulled staff. IT knows the new PIN, so the guide must change it: the hub answers
 * `pinChangeRequired` at every online sign-in until they have. Audited as `guide_pin_reset`.
 */
export async function resetGuidePin(
  db: Db,
  guideId: string,
  newPin: string,
  by: AdminChannel,
): Promise<{ id: string; storeId: string }> {
  // scrypt outside the transaction: an embedded database is never held for it.
  const pinHash = await hashPin(newPin, { scrypt: nativeScrypt });
  return db.transaction(async (tx) => {
    const rows = await tx.query<{ id: string; store_id: string }>(
      `update guides set pin_hash = $2, pin_change_required = true where id = $1
       returning id, store_id`,
      [guideId, pinHash],
    );
    const row = rows[0];
    if (!row) throw notFound(`guide ${guideId} not found`);
    // A guide locked out at the hub is usually why IT resets the PIN: the new one works at once.
    await tx.query('delete from guide_pin_lockouts where guide_id = $1', [guideId]);
    await recordAudit(tx, {
      action: 'guide_pin_reset',
      source: by,
      storeId: row.store_id,
      guideId: row.id,
    });
    return { id: row.id, storeId: row.store_id };
  });
}
