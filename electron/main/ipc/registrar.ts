import type { z } from 'zod';
import {
  bridgeArgs,
  bridgeChannelList,
  type BridgeArgs,
  type BridgeChannel,
  type BridgeError,
  type BridgeResult,
  type BridgeValues,
} from '../../../shared/bridge';
import { err, ok } from '../../../shared/result';
import { isTrustedSender, type SenderFacts } from '../security/origins';

/** A channel's handler receives arguments already validated against the shared schema. */
export type BridgeHandler<C extends BridgeChannel> = (
  args: BridgeArgs<C>,
) => Promise<BridgeValues[C]> | BridgeValues[C];

/** One handler per allow-listed channel: the type makes a missing handler a compile error. */
export type BridgeHandlers = { [C in BridgeChannel]: BridgeHandler<C> };

/** A service can fail with a specific code by throwing this; anything else becomes `internal`. */
export class BridgeFailure extends Error {
  constructor(
    readonly code: BridgeError['code'],
    message: string,
  ) {
    super(message);
  }
}

export type Dispatcher = (
  channel: string,
  sender: SenderFacts,
  rawArgs: unknown,
) => Promise<BridgeResult<unknown>>;

/**
 * The gatekeeper every IPC call goes through (pure; the Electron glue only forwards): unknown
 * channel → forbidden; untrusted sender → forbidden; arguments that fail the shared schema →
 * invalid_input; a throwing service → an error envelope, never a rejected promise.
 */
export function createDispatcher(
  handlers: BridgeHandlers,
  trusted: () => { webContentsId: number | null; appOrigin: string },
  onError: (channel: string, error: unknown) => void = () => {},
): Dispatcher {
  const allowed = new Set<string>(bridgeChannelList);
  return async (channel, sender, rawArgs) => {
    if (!allowed.has(channel)) {
      return err({ code: 'forbidden', message: 'unknown channel' });
    }
    if (!isTrustedSender(sender, trusted())) {
      return err({ code: 'forbidden', message: 'sender is not the app window' });
    }
    const c = channel as BridgeChannel;
    const schema: z.ZodType = bridgeArgs[c];
    const parsed = schema.safeParse(rawArgs);
    if (!parsed.success) {
      return err({
        code: 'invalid_input',
        message: parsed.error.issues
          .map((i) => `${i.path.join('.') || '(args)'}: ${i.message}`)
          .join('; '),
      });
    }
    try {
      const handler = handlers[c] as (args: unknown) => unknown;
      return ok(await handler(parsed.data));
    } catch (error) {
      if (error instanceof BridgeFailure) return err({ code: error.code, message: error.message });
      onError(channel, error);
      return err({ code: 'internal', message: 'the platform could not do that' });
    }
  };
}
