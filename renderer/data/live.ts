import { liveQuery } from 'dexie';

export type Unsubscribe = () => void;

/**
 * Runs `query` now and again whenever a table it read changes (Dexie's `liveQuery`): the one way
 * code above the data layer observes IndexedDB. `query` must read only through this database
 * (Dexie tracks what it touched), which every function of `renderer/data` does.
 */
export function watchQuery<T>(
  query: () => Promise<T>,
  observer: { next: (value: T) => void; error: (error: unknown) => void },
): Unsubscribe {
  const subscription = liveQuery(query).subscribe(observer);
  return () => subscription.unsubscribe();
}
