import type { CustomerBinding } from '../../shared/protocol';
import { activeGuides } from './staff';
import { getCustomer } from './customers';
import type { TerminalDb } from './database';

/**
 * The guide a cached customer is bound to (专属导购), from the customer feed's copy: null in the
 * store pool, and for a customer not cached, or cached before bindings existed. Offline as much as
 * the cache is. A live query over this re-runs when the customer's cached row changes.
 */
export async function cachedBinding(
  db: TerminalDb,
  customerId: string,
): Promise<CustomerBinding | null> {
  return (await getCustomer(db, customerId))?.binding ?? null;
}

/** A guide of this store a customer can be handed to, or a manager who can hand them over. */
export type StoreGuide = { id: string; name: string; role: 'guide' | 'manager' };

/** The store's active guides and managers (synced staff), by name. */
export async function storeGuides(db: TerminalDb): Promise<StoreGuide[]> {
  return (await activeGuides(db)).map((g) => ({ id: g.id, name: g.name, role: g.role }));
}
