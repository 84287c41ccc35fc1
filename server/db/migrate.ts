import type { Db } from './database';
import { initialSchema } from './migrations/001-initial';
import { customerErasuresSchema } from './migrations/002-customer-erasures';
import { customerFeedJsonSchema } from './migrations/003-customer-feed-json';
import { feedJsonLimitsSchema } from './migrations/004-feed-json-limits';
import { auditReadSchema } from './migrations/005-audit-read';
import { pinLockoutsSchema } from './migrations/006-pin-lockouts';
import { terminalStatusSchema } from './migrations/007-terminal-status';
import { terminalPhoneTagsSchema } from './migrations/008-terminal-phone-tags';
import { pinResetAndAdminAuditSchema } from './migrations/009-pin-reset-and-admin-audit';
import { guideBindingsSchema } from './migrations/010-guide-bindings';
import { auditDetailSchema } from './migrations/011-audit-detail';
import { onlineCreditSchema } from './migrations/012-online-credit';
import { bindingFeedSchema } from './migrations/013-binding-feed';
import { stylesStockSchema } from './migrations/014-styles-stock';
import { followUpsSchema } from './migrations/015-follow-ups';
import { marketingConsentSchema } from './migrations/016-marketing-consent';
import { afterSaleSchema } from './migrations/017-after-sale';
import { storeRegionsSchema } from './migrations/018-store-regions';
import { productLaunchSchema } from './migrations/019-product-launch';
import { profileEditsSchema } from './migrations/020-profile-edits';
import { storeScopesSchema } from './migrations/021-store-scopes';
import { onlineNearbySchema } from './migrations/022-online-nearby';
import { scopeWaitingSchema } from './migrations/023-scope-waiting';
import { presenceSightingSchema } from './migrations/024-presence-sighting';
import { catchmentByCallerSchema } from './migrations/025-catchment-by-caller';
import { settleInOneStatementSchema } from './migrations/026-settle-in-one-statement';
import { orderBatchTailSchema } from './migrations/027-order-batch-tail';
import { orderTailExactCheckSchema } from './migrations/028-order-tail-exact-check';
import { orderBindingsSchema } from './migrations/029-order-bindings';
import { arrivalCarriesProfileSchema } from './migrations/030-arrival-carries-profile';
import { sightingScopeOnceSchema } from './migrations/031-sighting-scope-once';
import { ADVISORY_LOCKS } from './advisory-locks';

/** Numbered migrations, applied in order, each in its own transaction. Never edit a landed one. */
export const migrations: readonly { version: number; name: string; sql: string }[] = [
  { version: 1, name: 'initial', sql: initialSchema },
  { version: 2, name: 'customer-erasures', sql: customerErasuresSchema },
  { version: 3, name: 'customer-feed-json', sql: customerFeedJsonSchema },
  { version: 4, name: 'feed-json-limits', sql: feedJsonLimitsSchema },
  { version: 5, name: 'audit-read', sql: auditReadSchema },
  { version: 6, name: 'pin-lockouts', sql: pinLockoutsSchema },
  { version: 7, name: 'terminal-status', sql: terminalStatusSchema },
  { version: 8, name: 'terminal-phone-tags', sql: terminalPhoneTagsSchema },
  { version: 9, name: 'pin-reset-and-admin-audit', sql: pinResetAndAdminAuditSchema },
  { version: 10, name: 'guide-bindings', sql: guideBindingsSchema },
  { version: 11, name: 'audit-detail', sql: auditDetailSchema },
  { version: 12, name: 'online-credit', sql: onlineCreditSchema },
  { version: 13, name: 'binding-feed', sql: bindingFeedSchema },
  { version: 14, name: 'styles-stock', sql: stylesStockSchema },
  { version: 15, name: 'follow-ups', sql: followUpsSchema },
  { version: 16, name: 'marketing-consent', sql: marketingConsentSchema },
  { version: 17, name: 'after-sale', sql: afterSaleSchema },
  { version: 18, name: 'store-regions', sql: storeRegionsSchema },
  { version: 19, name: 'product-launch', sql: productLaunchSchema },
  { version: 20, name: 'profile-edits', sql: profileEditsSchema },
  { version: 21, name: 'store-scopes', sql: storeScopesSchema },
  { version: 22, name: 'online-nearby', sql: onlineNearbySchema },
  { version: 23, name: 'scope-waiting', sql: scopeWaitingSchema },
  { version: 24, name: 'presence-sighting', sql: presenceSightingSchema },
  { version: 25, name: 'catchment-by-caller', sql: catchmentByCallerSchema },
  { version: 26, name: 'settle-in-one-statement', sql: settleInOneStatementSchema },
  { version: 27, name: 'order-batch-tail', sql: orderBatchTailSchema },
  { version: 28, name: 'order-tail-exact-check', sql: orderTailExactCheckSchema },
  { version: 29, name: 'order-bindings', sql: orderBindingsSchema },
  { version: 30, name: 'arrival-carries-profile', sql: arrivalCarriesProfileSchema },
  { version: 31, name: 'sighting-scope-once', sql: sightingScopeOnceSchema },
];

export async function migrate(db: Db, upTo = Number.POSITIVE_INFINITY): Promise<number[]> {
  // Under the migrations lock too: two nodes creating the table at once on an empty PostgreSQL
  // race in the catalog ("duplicate key value violates unique constraint
  // pg_type_typname_nsp_index"), `if not exists` or not, and the loser's hub would not start.
  await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [ADVISORY_LOCKS.migrations]);
    await tx.query(
      'create table if not exists schema_migrations (version integer primary key, name text not null, applied_at timestamptz not null default now())',
    );
  });
  const applied = new Set(
    (await db.query<{ version: number }>('select version from schema_migrations')).map((r) =>
      Number(r.version),
    ),
  );
  const ran: number[] = [];
  for (const m of migrations) {
    if (m.version > upTo || applied.has(m.version)) continue;
    await db.transaction(async (tx) => {
      // Two hub nodes starting at once on one PostgreSQL: only one migrates.
      await tx.query('select pg_advisory_xact_lock($1)', [ADVISORY_LOCKS.migrations]);
      const again = await tx.query('select 1 from schema_migrations where version = $1', [
        m.version,
      ]);
      if (again.length > 0) return;
      for (const statement of splitStatements(m.sql)) await tx.query(statement);
      await tx.query('insert into schema_migrations(version, name) values ($1, $2)', [
        m.version,
        m.name,
      ]);
      ran.push(m.version);
    });
  }
  return ran;
}

/**
 * Splits a migration into statements at a `;` that ends a line. Function bodies (migration 021's
 * triggers) are dollar-quoted (`$f$ … $f$`): a `;` inside one belongs to the body.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let quote: string | null = null;
  for (const line of sql.split('\n')) {
    for (const tag of line.match(/\$[A-Za-z_]*\$/g) ?? []) {
      if (quote === null) quote = tag;
      else if (tag === quote) quote = null;
    }
    current += `${line}\n`;
    if (quote === null && /;\s*$/.test(line)) {
      statements.push(current.replace(/;\s*$/, ''));
      current = '';
    }
  }
  statements.push(current);
  return statements.map((s) => s.replace(/^\s*--.*$/gm, '').trim()).filter((s) => s.length > 0);
}
