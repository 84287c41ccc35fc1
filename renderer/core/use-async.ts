import { useEffect, useState } from 'react';
import { watchQuery } from '../data/live';

/** The three states every data-backed screen shows. */
export type AsyncState<T> =
  { status: 'loading' } | { status: 'ready'; value: T } | { status: 'error'; error: string };

const LOADING = { status: 'loading' } as const;

export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * One promise per loader function: React's StrictMode runs effects twice, and a loader with a
 * side effect (opening a profile writes an audit entry) must still run once per open.
 */
const inflight = new WeakMap<() => Promise<unknown>, Promise<unknown>>();

/**
 * Runs `load` (a `useCallback`, so its identity changes only when its inputs do) and returns its
 * state. The state is keyed by the loader, so a new input shows "loading" at once, never a stale
 * value from the previous input.
 */
export function useAsync<T>(load: () => Promise<T>): AsyncState<T> {
  const [state, setState] = useState<{ load: () => Promise<T>; result: AsyncState<T> } | null>(
    null,
  );
  useEffect(() => {
    let live = true;
    let promise = inflight.get(load) as Promise<T> | undefined;
    if (!promise) {
      promise = load();
      inflight.set(load, promise);
    }
    promise.then(
      (value) => live && setState({ load, result: { status: 'ready', value } }),
      (e: unknown) =>
        live && setState({ load, result: { status: 'error', error: errorMessage(e) } }),
    );
    return () => {
      live = false;
    };
  }, [load]);
  return state && state.load === load ? state.result : LOADING;
}

/**
 * Like `useAsync`, but re-runs whenever the IndexedDB tables the query read change (Dexie
 * `liveQuery`): a receipt turns from 待同步 to 已同步 when the sync engine records the hub's answer.
 * `query` must only read through `renderer/data` (data/live.ts).
 */
export function useLiveQuery<T>(query: () => Promise<T>): AsyncState<T> {
  const [state, setState] = useState<{ query: () => Promise<T>; result: AsyncState<T> } | null>(
    null,
  );
  useEffect(() => {
    return watchQuery(query, {
      next: (value) => setState({ query, result: { status: 'ready', value } }),
      error: (e: unknown) =>
        setState({ query, result: { status: 'error', error: errorMessage(e) } }),
    });
  }, [query]);
  return state && state.query === query ? state.result : LOADING;
}

/** A value that settles `delayMs` after it stops changing (search-as-you-type). */
export function useDebounced<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}
