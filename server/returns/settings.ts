import {
  DEFAULT_RETURN_SETTINGS,
  returnSettings,
  type AdminChannel,
  type ReturnSettings,
} from '../../shared/protocol';
import { recordAudit } from '../audit/service';
import type { Db, Queryable } from '../db/database';

/** The `settings` key holding the after-sale settings as JSON (shared/protocol/returns.ts). */
export const SETTING_RETURNS = 'return_settings';

/**
 * The chain's after-sale settings, or the defaults (a manager's PIN above ¥500) when nothing was
 * saved or the stored value no longer fits the schema.
 */
export async function loadReturnSettings(db: Queryable): Promise<ReturnSettings> {
  const rows = await db.query<{ value: string }>('select value from settings where key = $1', [
    SETTING_RETURNS,
  ]);
  const stored = rows[0]?.value;
  if (stored === undefined) return DEFAULT_RETURN_SETTINGS;
  try {
    const parsed = returnSettings.safeParse(JSON.parse(stored));
    return parsed.success ? parsed.data : DEFAULT_RETURN_SETTINGS;
  } catch {
    return DEFAULT_RETURN_SETTINGS;
  }
}

/** Saves the settings and audits it as `return_settings_saved`, in one transaction. */
export async function saveReturnSettings(
  db: Db,
  settings: ReturnSettings,
  by: AdminChannel,
): Promise<ReturnSettings> {
  const value = returnSettings.parse(settings);
  await db.transaction(async (tx) => {
    await tx.query(
      'insert into settings(key, value) values ($1, $2) on conflict (key) do update set value = excluded.value',
      [SETTING_RETURNS, JSON.stringify(value)],
    );
    await recordAudit(tx, { action: 'return_settings_saved', source: by });
  });
  return value;
}
