/**
 * `npx tsx scripts/dwell-report.ts` — median time in store per store of the seeded chain, converted
 * and not converted (#16 item 6), over the last 7 days, as the dashboard's 停留时长 card computes
 * it (server/stats/dwell.ts). Reads the hub's database like `npm run hub:seed` does (DATABASE_URL,
 * or the embedded one in HUB_DATA_DIR); stop the hub first on PGlite. Prints a Markdown table.
 */
import { loadConfig } from '../server/config';
import { openDatabase } from '../server/db/database';
import { dwellFor } from '../server/stats/dwell';

const DAY_MS = 86_400_000;

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const to = new Date();
    const from = new Date(to.getTime() - 7 * DAY_MS);
    const stores = await db.query<{ id: string; name: string }>(
      'select id::text, name from stores order by name',
    );
    console.log('| store | converted: visits, median min | not converted: visits, median min |');
    console.log('| --- | --- | --- |');
    for (const store of stores) {
      const d = await dwellFor(db, store.id, from, to);
      const cell = (g: { visits: number; medianMinutes: number | null }) =>
        `${g.visits}, ${g.medianMinutes ?? '—'}`;
      console.log(`| ${store.name} | ${cell(d.converted)} | ${cell(d.notConverted)} |`);
    }
  } finally {
    await db.close();
  }
}

await main();
