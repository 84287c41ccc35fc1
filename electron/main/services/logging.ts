import type { MainLogger } from 'electron-log';
import { scrubValue } from './log-scrubber';

/** Keep a few MB of history on the PC: enough for support, small enough for a shared disk. */
export const LOG_MAX_BYTES = 5 * 1024 * 1024;

/**
 * Rotating log file (electron-log moves a full `main.log` to `main.old.log`) with every message
 * scrubbed of PII before any transport sees it.
 */
export function configureLogging(log: MainLogger): void {
  log.transports.file.maxSize = LOG_MAX_BYTES;
  log.transports.file.level = 'info';
  log.transports.console.level = 'warn';
  log.hooks.push((message) => ({ ...message, data: message.data.map((d) => scrubValue(d)) }));
}
