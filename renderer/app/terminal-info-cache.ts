import { terminalInfo, type TerminalInfo } from '../../shared/protocol';

/**
 * Who this terminal is (store, settings) without the phone-hash key, kept so the app starts
 * offline. The key stays in the bridge's secret storage; it is joined back in on start.
 */
export type CachedTerminalInfo = Omit<TerminalInfo, 'phoneHashKey'>;

const KEY = 'shopguide-terminal-info';
const cached = terminalInfo.omit({ phoneHashKey: true });

export function readTerminalInfo(storage: Storage): CachedTerminalInfo | null {
  const raw = storage.getItem(KEY);
  if (raw === null) return null;
  try {
    const parsed = cached.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function writeTerminalInfo(storage: Storage, info: TerminalInfo): void {
  const { phoneHashKey: _key, ...rest } = info;
  storage.setItem(KEY, JSON.stringify(rest));
}

export function clearTerminalInfo(storage: Storage): void {
  storage.removeItem(KEY);
}
