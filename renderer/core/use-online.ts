import { useSyncExternalStore } from 'react';
import { useServices } from './services';

/** Whether the live channel to the hub is up (the sync engine's status). */
export function useIsOnline(): boolean {
  const { engine } = useServices();
  return useSyncExternalStore(
    (listener) => engine.subscribe(listener),
    () => engine.status.get().online,
  );
}
