import { useEffect, useState } from 'react';
import type { ApiResult } from '../shared/api-client';
import { failureOf, type Failure } from './hub';

export type Loaded<T> =
  { state: 'loading' } | { state: 'ready'; value: T } | { state: 'failed'; failure: Failure };

/**
 * Loads once per `key` (the period). An answer is kept with the key it was asked for, so a view
 * shows "loading" for a new period and never an older period's answer arriving late.
 */
export function useHub<T>(
  key: string,
  load: () => Promise<ApiResult<T>>,
  onFailure: (f: Failure) => void,
): Loaded<T> {
  const [answer, setAnswer] = useState<{ key: string; loaded: Loaded<T> } | null>(null);
  useEffect(() => {
    let current = true;
    void load().then((result) => {
      if (!current) return;
      if (result.ok) return setAnswer({ key, loaded: { state: 'ready', value: result.value } });
      const failure = failureOf(result.error);
      setAnswer({ key, loaded: { state: 'failed', failure } });
      onFailure(failure);
    });
    return () => {
      current = false;
    };
    // `load` and `onFailure` are new closures each render; the period key decides.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return answer?.key === key ? answer.loaded : { state: 'loading' };
}
