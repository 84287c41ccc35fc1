import {
  DEFAULT_OUTREACH_SETTINGS,
  outreachSettings,
  type AdminChannel,
  type OutreachSettings,
} from '../../shared/protocol';
import { recordAudit } from '../audit/service';
import type { Db, Queryable } from '../db/database';

/** The `settings` key holding head office's outreach settings as JSON (shared/protocol/outreach.ts). */
export const SETTING_OUTREACH = 'outreach';

/**
 * Head office's outreach settings, or the defaults (no mini-store link) when nothing was saved or
 * the stored value no longer fits the schema: a bad pattern must never reach a QR code.
 */
export async function loadOutreachSettings(db: Queryable): Promise<OutreachSettings> {
  const rows = await db.query<{ value: string }>('select value from settings where key = $1', [
    SETTING_OUTREACH,
  ]);
  const stored = rows[0]?.value;
  if (stored === undefined) return DEFAULT_OUTREACH_SETTINGS;
  try {
    const parsed = outreachSettings.safeParse(JSON.parse(stored));
    return parsed.success ? parsed.data : DEFAULT_OUTREACH_SETTINGS;
  } catch {
    return DEFAULT_OUTREACH_SETTINGS;
  }
}

/** Saves the settings (validated again here) and audits `outreach_settings_saved`, in one transaction. */
export async function saveOutreachSettings(
  db: Db,
  settings: OutreachSettings,
  by: AdminChannel,
): Promise<OutreachSettings> {
  const value = outreachSettings.parse(settings);
  await db.transaction(async (tx) => {
    await tx.query(
      'insert into settings(key, value) values ($1, $2) on conflict (key) do update set value = excluded.value',
      [SETTING_OUTREACH, JSON.stringify(value)],
    );
    await recordAudit(tx, { action: 'outreach_settings_saved', source: by });
  });
  return value;
}
