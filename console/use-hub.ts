import { useEffect, useState } from 'react';
import type { ApiResult } from '../shared/api-client';
import { failureOf, type Failure } from './hub';

export type Loaded<T> =
  { state: 'loading' } | { state: 'ready'; value: T } | { state: 'failed'; failure: Failure };

/** Loads once per `key` (the period), dropping answers that arrive after a newer request. */
export function useHub<T>(
  key: string,
  load: () => Promise<ApiResult<T>>,
  onFailure: (f: Failure) => void,
): Loaded<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  useEffect(() => {
    let current = true;
    setLoaded({ state: 'loading' });
    void load().then((result) => {
      if (!current) return;
      if (result.ok) return setLoaded({ state: 'ready', value: result.value });
      const failure = failureOf(result.error);
      setLoaded({ state: 'failed', failure });
      onFailure(failure);
    });
    return () => {
      current = false;
    };
    // `load` and `onFailure` are new closures each render; the period key decides.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return loaded;
}
