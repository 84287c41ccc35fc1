import type {
  ConsentChange,
  FollowUpOutcome,
  Order,
  OrderReturn,
  ProfileEdit,
  VisitOutcome,
} from '../../shared/protocol';
import type { LocalCustomerRegistration } from './customer-rows';
import type { OutboxEntry } from './database';
import { aadFor, isSealedRow, keepAlive, type Envelope, type Sealer } from './sealed';

type Base<E> = E extends unknown
  ? Omit<
      E,
      | 'order'
      | 'registration'
      | 'visitOutcome'
      | 'followUpOutcome'
      | 'orderReturn'
      | 'consentChange'
      | 'profileEdit'
    >
  : never;

/**
 * An outbox entry as stored since v10: its queue state (status, attempts, times, the hub's
 * reason) in clear, what it carries sealed with its id — the registration (name, sizes, notes,
 * birthday, the encrypted phone) whole, an order's lines and prices apart from its customer id,
 * which stays readable so a merge can re-point pending orders in place (customers.ts). A row from
 * before v10 is read as it is until the v10 pass seals it.
 */
export type OutboxRow = Base<OutboxEntry> &
  (
    | { kind: 'order'; order: Pick<Order, 'customerId'> & Partial<Order>; sealed?: Envelope }
    | { kind: 'registration'; registration: Partial<LocalCustomerRegistration>; sealed?: Envelope }
    // #15: outcomes are sealed whole (a guide's note about a customer).
    | { kind: 'visit_outcome'; visitOutcome: Partial<VisitOutcome>; sealed?: Envelope }
    | { kind: 'follow_up_outcome'; followUpOutcome: Partial<FollowUpOutcome>; sealed?: Envelope }
    // #16: a return is sealed whole; its original order's id stays readable for 今日订单.
    | { kind: 'return'; orderReturn: Pick<OrderReturn, 'orderId'>; sealed?: Envelope }
    // #15 item 4: sealed whole (which member agreed to what, by which guide).
    | { kind: 'consent_change'; consentChange: Partial<ConsentChange>; sealed?: Envelope }
    // #16 item 7: sealed whole (the notes may name people; sizes are personal too).
    | { kind: 'profile_edit'; profileEdit: Partial<ProfileEdit>; sealed?: Envelope }
  );

export async function sealOutboxEntry(sealer: Sealer, entry: OutboxEntry): Promise<OutboxRow> {
  const aad = aadFor('outbox', entry.id);
  if (entry.kind === 'visit_outcome') {
    const { visitOutcome, ...rest } = entry;
    return { ...rest, visitOutcome: {}, sealed: await sealer.seal(visitOutcome, aad) };
  }
  if (entry.kind === 'follow_up_outcome') {
    const { followUpOutcome, ...rest } = entry;
    return { ...rest, followUpOutcome: {}, sealed: await sealer.seal(followUpOutcome, aad) };
  }
  if (entry.kind === 'return') {
    const { orderReturn, ...rest } = entry;
    return {
      ...rest,
      orderReturn: { orderId: orderReturn.orderId },
      sealed: await sealer.seal(orderReturn, aad),
    };
  }
  if (entry.kind === 'consent_change') {
    const { consentChange, ...rest } = entry;
    return { ...rest, consentChange: {}, sealed: await sealer.seal(consentChange, aad) };
  }
  if (entry.kind === 'profile_edit') {
    const { profileEdit, ...rest } = entry;
    return { ...rest, profileEdit: {}, sealed: await sealer.seal(profileEdit, aad) };
  }
  if (entry.kind === 'registration') {
    const { registration, ...rest } = entry;
    return { ...rest, registration: {}, sealed: await sealer.seal(registration, aad) };
  }
  const { order, ...rest } = entry;
  const { customerId, ...body } = order;
  return {
    ...rest,
    order: customerId === undefined ? {} : { customerId },
    sealed: await sealer.seal(body, aad),
  };
}

export async function openOutboxEntry(sealer: Sealer, row: OutboxRow): Promise<OutboxEntry> {
  if (!isSealedRow(row)) return row as unknown as OutboxEntry;
  const { sealed, ...rest } = row as OutboxRow & { sealed: Envelope };
  const aad = aadFor('outbox', rest.id);
  if (rest.kind === 'visit_outcome')
    return { ...rest, visitOutcome: await sealer.open<VisitOutcome>(sealed as Envelope, aad) };
  if (rest.kind === 'follow_up_outcome')
    return {
      ...rest,
      followUpOutcome: await sealer.open<FollowUpOutcome>(sealed as Envelope, aad),
    };
  if (rest.kind === 'return')
    return { ...rest, orderReturn: await sealer.open<OrderReturn>(sealed as Envelope, aad) };
  if (rest.kind === 'consent_change')
    return {
      ...rest,
      consentChange: await sealer.open<ConsentChange>(sealed as Envelope, aad),
    };
  if (rest.kind === 'profile_edit')
    return { ...rest, profileEdit: await sealer.open<ProfileEdit>(sealed as Envelope, aad) };
  if (rest.kind === 'registration') {
    const registration = await sealer.open<LocalCustomerRegistration>(sealed as Envelope, aad);
    return { ...rest, registration };
  }
  const body = await sealer.open<Omit<Order, 'customerId'>>(sealed as Envelope, aad);
  // The clear customer id wins: it is the one a merge re-pointed.
  const order: Order =
    rest.order.customerId === undefined ? body : { ...body, customerId: rest.order.customerId };
  return { ...rest, order };
}

export const openOutboxEntries = (
  sealer: Sealer,
  rows: readonly (OutboxRow | undefined)[],
): Promise<OutboxEntry[]> =>
  keepAlive(Promise.all(rows.flatMap((row) => (row ? [openOutboxEntry(sealer, row)] : []))));
