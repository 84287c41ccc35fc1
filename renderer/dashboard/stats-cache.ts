import { fetchedFiguresSchema, type FetchedFigures } from './figures';
import { periodKey } from './period';

/**
 * The last figures fetched per period, so a manager still sees them (with their "as of") during
 * an outage. Kept in localStorage rather than IndexedDB: the read is synchronous, so cached
 * figures are on screen in the first frame instead of after a loading flash; the data is a few
 * small JSON documents (no customer data, no indices, no migrations — a document that no longer
 * matches the schema after an update is simply ignored). Range days are stored without their
 * hours, which only the single-day chart uses, to keep each entry small.
 */
const PREFIX = 'shopguide-dashboard';
/** enough for today, last week's same day and the three ranges with their comparisons */
const MAX_ENTRIES = 10;

export type FiguresCache = {
  read(period: { from: string; to: string }): FetchedFigures | null;
  write(period: { from: string; to: string }, entry: FetchedFigures): void;
};

export function figuresCache(
  storage: Storage,
  scope: { terminalId: string; storeId: string },
): FiguresCache {
  const base = `${PREFIX}:${scope.terminalId}:${scope.storeId}`;
  const indexKey = `${base}:index`;
  const readIndex = (): string[] => {
    try {
      const value: unknown = JSON.parse(storage.getItem(indexKey) ?? '[]');
      return Array.isArray(value) ? value.filter((k): k is string => typeof k === 'string') : [];
    } catch {
      return [];
    }
  };
  return {
    read(period) {
      const raw = storage.getItem(`${base}:${periodKey(period)}`);
      if (raw === null) return null;
      try {
        const parsed = fetchedFiguresSchema.safeParse(JSON.parse(raw));
        return parsed.success ? parsed.data : null;
      } catch {
        return null;
      }
    },
    write(period, entry) {
      const key = periodKey(period);
      const slim: FetchedFigures =
        entry.figures.days.length > 1
          ? {
              ...entry,
              figures: {
                ...entry.figures,
                days: entry.figures.days.map((d) => ({ ...d, byHour: [] })),
              },
            }
          : entry;
      const index = [key, ...readIndex().filter((k) => k !== key)];
      for (const old of index.splice(MAX_ENTRIES)) storage.removeItem(`${base}:${old}`);
      try {
        storage.setItem(`${base}:${key}`, JSON.stringify(slim));
        storage.setItem(indexKey, JSON.stringify(index));
      } catch {
        // Quota: the cache is a convenience; the figures on screen are unaffected.
      }
    },
  };
}
