import pg from 'pg';
import { hashLegacyPin } from '../../shared/domain/pin-verifier';
import { openDatabase } from '../../server/db/database';
import type { HubOptions, HubProcess } from './hub-process';

/**
 * Gives a guide a PIN as hubs stored them before issue #13 item 2 (PBKDF2, possibly 4 digits), which
 * no API can set any more. On PostgreSQL straight in the database; on PGlite (embedded in the hub
 * process) the hub is stopped, the data dir opened here, and the hub started again on it: the
 * returned hub (same port, same tokens) replaces the one passed in.
 */
export async function giveLegacyPin(
  startHub: (options: HubOptions) => Promise<HubProcess>,
  hub: HubProcess,
  guideId: string,
  pin: string,
): Promise<HubProcess> {
  const verifier = await hashLegacyPin(pin);
  const sql = 'update guides set pin_hash = $2 where id = $1';
  if (hub.options.databaseUrl) {
    const client = new pg.Client({ connectionString: hub.options.databaseUrl });
    await client.connect();
    try {
      await client.query(sql, [guideId, verifier]);
    } finally {
      await client.end();
    }
    return hub;
  }
  await hub.stop();
  const db = await openDatabase({ dataDir: hub.dataDir });
  try {
    await db.query(sql, [guideId, verifier]);
  } finally {
    await db.close();
  }
  return startHub({ ...hub.options, dataDir: hub.dataDir, port: hub.port });
}
