import type { CustomerCard } from '../../shared/protocol';
import type { StoredAlert } from './database';
import { aadFor, isSealedRow, keepAlive, type Envelope, type Sealer } from './sealed';

/**
 * An arrival alert as stored since v10: its status, times and claim in clear (the arrivals list
 * filters and orders by them, status updates rewrite them), the customer's card — name, tier,
 * sizes, what they viewed, carted and bought — sealed with the alert id. Only the card's customer
 * id stays readable: a merge or an erasure re-points or drops the alerts of a customer in place
 * (customers.ts), and an order finds the alert it came from by it (`recentAlertFor` in alerts.ts).
 * A row from before v10 (the whole card in clear) is read as it is until the v10 pass seals it.
 */
export type AlertRow = Omit<StoredAlert, 'card'> & {
  card: Pick<CustomerCard, 'customerId'> & Partial<CustomerCard>;
  sealed?: Envelope;
};

export async function sealAlert(sealer: Sealer, alert: StoredAlert): Promise<AlertRow> {
  const { customerId, ...card } = alert.card;
  return {
    ...alert,
    card: { customerId },
    sealed: await sealer.seal(card, aadFor('alerts', alert.alertId)),
  };
}

export async function openAlert(sealer: Sealer, row: AlertRow): Promise<StoredAlert> {
  if (!isSealedRow(row)) return row as StoredAlert;
  const { sealed, ...rest } = row;
  const card = await sealer.open<Omit<CustomerCard, 'customerId'>>(
    sealed as Envelope,
    aadFor('alerts', row.alertId),
  );
  // The clear customer id wins: it is the one a merge re-pointed.
  return { ...rest, card: { ...card, customerId: row.card.customerId } };
}

/** Opens many at once (in a transaction or live query too: one `keepAlive` for the batch). */
export const openAlerts = (sealer: Sealer, rows: readonly AlertRow[]): Promise<StoredAlert[]> =>
  keepAlive(Promise.all(rows.map((row) => openAlert(sealer, row))));
