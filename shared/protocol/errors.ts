import { z } from 'zod';

/** Error codes the hub answers with; every error body is `{error:{code,message,details?}}`. */
export const errorCode = z.enum([
  'invalid_input',
  'unauthorized',
  'forbidden',
  'not_found',
  'payload_too_large',
  'conflict',
  'no_store_nearby',
  'already_claimed',
  'unavailable',
  'rate_limited',
  'internal',
  // guide sign-in at the hub (POST /staff/sign-in, /staff/pin)
  'wrong_pin',
  'pin_locked',
  'guide_inactive',
]);
export type ErrorCode = z.infer<typeof errorCode>;

export const errorBody = z.object({
  error: z.object({ code: errorCode, message: z.string(), details: z.unknown().optional() }),
});
export type ErrorBody = z.infer<typeof errorBody>;
