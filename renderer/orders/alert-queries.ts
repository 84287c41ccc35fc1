import type { TerminalDb } from '../data/database';

/**
 * The arrival alert a sale to this customer most likely came from: the newest alert for them on
 * this terminal within the visit window, not yet turned into an order. Crediting it is what makes
 * O2O benefit sharing work, so an order started from the 360 or a lookup still carries it.
 */
export async function recentAlertFor(
  db: TerminalDb,
  customerId: string,
  now: Date,
  windowMinutes: number,
): Promise<string | null> {
  const since = new Date(now.getTime() - windowMinutes * 60_000).toISOString();
  const alerts = await db.alerts
    .where('at')
    .aboveOrEqual(since)
    .filter((a) => a.card.customerId === customerId && a.status !== 'converted')
    .toArray();
  alerts.sort((a, b) => b.at.localeCompare(a.at));
  return alerts[0]?.alertId ?? null;
}
