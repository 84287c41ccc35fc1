import type { ItemResult, Order } from '../../shared/protocol';
import { putCanonicalCustomer } from '../data/customers';
import {
  allStillPending,
  outboxSummary,
  pendingEntries,
  pendingOrdersAmong,
  pendingOutcomesAmong,
  pendingConsentsAmong,
  pendingProfileEditsAmong,
  recordResults,
  type OutboxRegistration,
} from '../data/outbox';
import { decryptPhone } from '../data/phone-cipher';
import { pendingReturnsAmong } from '../data/returns';
import { sentHoldCount } from '../data/stock-holds';
import type { SecretStore } from '../data/secret-store';
import { HubFailure, MAX_PAGE_ROUNDS, type EngineRuntime } from './engine-runtime';
import type { Housekeeping } from './housekeeping';
import { orderRefusal, registrationRefusal } from './refusals';
import type { HubResult } from './hub-client';

/**
 * Sends the outbox to the hub with the terminal-generated ids it deduplicates on, so an order
 * resent after a crash or a lost answer is counted once.
 */
export class OutboxDrain {
  /** Outbox reads started and the newest one published: a slower, older read never wins. */
  private summaryReads = 0;
  private summaryPublished = 0;

  constructor(
    private readonly rt: EngineRuntime,
    private readonly secrets: SecretStore,
    private readonly housekeeping: Housekeeping,
    /** a catalog pull (coalesced: one asked for while one runs is answered by the next run) */
    private readonly pullCatalog: () => Promise<void>,
  ) {}

  /**
   * Drains the outbox under a lock (never two drains, not even across windows). Registrations go
   * first, because orders may name a customer registered offline.
   */
  drain(): Promise<void> {
    const { rt } = this;
    return rt.coalesce('drain', async () => {
      await rt.settings.lock.run(`shopguide-outbox:${rt.db.terminalId}`, () => this.drainLocked());
      // Sales and returns the hub just confirmed moved its stock, and the hub told this store's
      // terminals (catalog:changed) BEFORE it answered: the pull that event started here began
      // before their holds were marked sent, so it could not release them, and "本店有货" would
      // take the units off twice (the hub's new figure less this terminal's hold) until the next
      // catalog change. A pull asked for now starts after: it brings the figure with these sales
      // in and releases their holds (stock-holds.ts).
      if ((await sentHoldCount(rt.db)) > 0) await this.pullCatalog();
    });
  }

  /** Puts the outbox figures in the status (pending count and age, rejected count). */
  async refreshOutboxStatus(): Promise<void> {
    if (this.rt.revoked) return;
    await this.publishSummary();
  }

  /**
   * Reads the outbox figures into the status. Reads may overlap (a refresh after an order was
   * queued, a drain's own), and IndexedDB answers them in order of start, so the answer of a read
   * started earlier than the last one published is dropped.
   */
  private async publishSummary(): Promise<void> {
    const ticket = ++this.summaryReads;
    const summary = await outboxSummary(this.rt.db);
    if (ticket < this.summaryPublished) return;
    this.summaryPublished = ticket;
    this.rt.status.update(summary);
  }

  private async drainLocked(): Promise<void> {
    const { rt } = this;
    rt.status.update({ syncing: true });
    try {
      for (let round = 0; round < MAX_PAGE_ROUNDS; round++) {
        rt.assertActive();
        const batch = await pendingEntries(rt.db, rt.settings.drainBatch);
        if (batch.length === 0) break;
        const registrations = batch.filter(
          (e): e is OutboxRegistration => e.kind === 'registration',
        );
        for (const entry of registrations) await this.sendRegistration(entry);
        // Re-read: a registration may have re-pointed an order to the canonical customer.
        const orders = await pendingOrdersAmong(
          rt.db,
          batch.filter((e) => e.kind === 'order').map((e) => e.id),
        );
        if (orders.length > 0) await this.sendOrders(orders);
        // #16: returns after the orders, so an order and its return queued offline arrive in
        // that order (the hub refuses a return of an order it does not have).
        const returns = await pendingReturnsAmong(
          rt.db,
          batch.filter((e) => e.kind === 'return').map((e) => e.id),
        );
        if (returns.length > 0) await this.sendBatch(returns, (items) => rt.hub.postReturns(items));
        // #15: visit and follow-up outcomes, each kind in one call (ids deduplicate on the hub).
        const outcomes = await pendingOutcomesAmong(
          rt.db,
          batch
            .filter((e) => e.kind === 'visit_outcome' || e.kind === 'follow_up_outcome')
            .map((e) => e.id),
        );
        if (outcomes.visits.length > 0)
          await this.sendBatch(outcomes.visits, (items) => rt.hub.postVisitOutcomes(items));
        if (outcomes.followUps.length > 0)
          await this.sendBatch(outcomes.followUps, (items) => rt.hub.postFollowUpOutcomes(items));
        // #15 item 4: marketing consents, after registrations (a member registered offline).
        const consents = await pendingConsentsAmong(
          rt.db,
          batch.filter((e) => e.kind === 'consent_change').map((e) => e.id),
        );
        if (consents.length > 0)
          await this.sendBatch(consents, (items) => rt.hub.postConsents(items));
        // #16 item 7: profile edits, after registrations, in the order they were made.
        const profileEdits = await pendingProfileEditsAmong(
          rt.db,
          batch.filter((e) => e.kind === 'profile_edit').map((e) => e.id),
        );
        if (profileEdits.length > 0)
          await this.sendBatch(profileEdits, (items) => rt.hub.postProfileEdits(items));
        await this.publishSummary();
        if (
          await allStillPending(
            rt.db,
            batch.map((e) => e.id),
          )
        )
          throw new HubFailure({
            code: 'invalid_response',
            message: 'the hub answered for none of the batch',
          });
        if (batch.length < rt.settings.drainBatch) break;
      }
      await this.housekeeping.afterDrain();
    } finally {
      await this.refreshOutboxStatus();
    }
  }

  /**
   * Posts a batch. If the hub refuses the whole call (400: a schema drift, one bad order), the
   * batch is split down to single orders so one poison order is rejected with the hub's reason
   * and never blocks the rest of the queue.
   */
  private async sendOrders(orders: Order[]): Promise<void> {
    const { rt } = this;
    const response = await rt.hub.postOrders(orders);
    rt.assertActive();
    if (!response.ok && response.error.code === 'rejected') {
      if (orders.length === 1) {
        await recordResults(
          rt.db,
          [{ id: orders[0]!.id, status: 'rejected', ...orderRefusal(response.error) }],
          rt.settings.now(),
        );
        return;
      }
      const half = Math.ceil(orders.length / 2);
      await this.sendOrders(orders.slice(0, half));
      await this.sendOrders(orders.slice(half));
      return;
    }
    const results = rt.unwrap(response);
    const asked = new Set(orders.map((o) => o.id));
    await recordResults(
      rt.db,
      results.filter((r) => asked.has(r.id)),
      rt.settings.now(),
    );
  }

  /**
   * Posts a batch of outcomes; a refused call (400) is split down to the one poison entry, as for
   * orders, so it is rejected with the hub's reason and never blocks the rest of the queue.
   */
  private async sendBatch<T extends { id: string }>(
    items: T[],
    post: (items: T[]) => Promise<HubResult<ItemResult[]>>,
  ): Promise<void> {
    const { rt } = this;
    const response = await post(items);
    rt.assertActive();
    if (!response.ok && response.error.code === 'rejected') {
      if (items.length === 1) {
        await recordResults(
          rt.db,
          [{ id: items[0]!.id, status: 'rejected', reason: response.error.message }],
          rt.settings.now(),
        );
        return;
      }
      const half = Math.ceil(items.length / 2);
      await this.sendBatch(items.slice(0, half), post);
      await this.sendBatch(items.slice(half), post);
      return;
    }
    const results = rt.unwrap(response);
    const asked = new Set(items.map((o) => o.id));
    await recordResults(
      rt.db,
      results.filter((r) => asked.has(r.id)),
      rt.settings.now(),
    );
  }

  private async sendRegistration(entry: OutboxRegistration): Promise<void> {
    const { rt } = this;
    const key = await this.secrets.getPhoneHashKey();
    const { phoneCipher, ...rest } = entry.registration;
    if (!key || !phoneCipher) {
      await recordResults(rt.db, [
        {
          id: entry.id,
          status: 'rejected',
          code: 'phone_unavailable',
          reason: 'phone number unavailable',
        },
      ]);
      return;
    }
    const phone = await decryptPhone(key, phoneCipher);
    const response = await rt.hub.registerCustomer({ ...rest, phone });
    rt.assertActive();
    if (!response.ok && response.error.code === 'rejected') {
      await recordResults(rt.db, [
        { id: entry.id, status: 'rejected', ...registrationRefusal(response.error) },
      ]);
      return;
    }
    const value = rt.unwrap(response);
    await putCanonicalCustomer(rt.db, entry.id, value.customer);
    await recordResults(
      rt.db,
      [{ id: entry.id, status: value.status === 'created' ? 'accepted' : 'duplicate' }],
      rt.settings.now(),
    );
  }
}
