import { z } from 'zod';
import {
  MAX_PIN_DIGITS,
  MIN_NEW_PIN_DIGITS,
  MIN_PIN_DIGITS,
  pinWeakness,
} from '../domain/pin-verifier';
import { nonEmpty, uuid } from './common';

export const guideRole = z.enum(['guide', 'manager']);
export type GuideRole = z.infer<typeof guideRole>;

/** A store's guide as terminals cache it (PIN hash for offline sign-in). */
export const staffMember = z.object({
  id: uuid,
  storeId: uuid,
  name: z.string(),
  role: guideRole,
  pinHash: z.string(),
  active: z.boolean(),
});
export type StaffMember = z.infer<typeof staffMember>;
export const staffResponse = z.object({ items: z.array(staffMember) });

/** A PIN as typed at sign-in: 4 to 8 digits (PINs issued before issue #13 item 2 have 4). */
export const pin = z
  .string()
  .regex(
    new RegExp(`^\\d{${MIN_PIN_DIGITS},${MAX_PIN_DIGITS}}$`),
    `PIN must be ${MIN_PIN_DIGITS} to ${MAX_PIN_DIGITS} digits`,
  );

const WEAKNESS_MESSAGES = {
  length: `a new PIN must be ${MIN_NEW_PIN_DIGITS} to ${MAX_PIN_DIGITS} digits`,
  repeated: 'a new PIN must not be one digit repeated',
  sequence: 'a new PIN must not be a run of digits such as 123456',
} as const;

/** A new PIN (new guide, reset, change): 6 to 8 digits, not 111111, not 123456 or 987654. */
export const newPin = z.string().superRefine((value, ctx) => {
  const weakness = pinWeakness(value);
  if (weakness) ctx.addIssue({ code: 'custom', message: WEAKNESS_MESSAGES[weakness] });
});

export const newGuide = z.object({
  storeId: uuid,
  name: nonEmpty(64),
  role: guideRole.default('guide'),
  pin: newPin,
});

/**
 * `POST /api/v1/staff/sign-in`: a terminal asks the hub to check a guide's PIN (online sign-in).
 * The hub keeps its own lockout; `pinChangeRequired` says the guide must choose a new PIN now.
 */
export const signInRequest = z.object({ guideId: uuid, pin });
export type SignInRequest = z.infer<typeof signInRequest>;
export const signInResponse = z.object({
  guide: z.object({ id: uuid, name: z.string(), role: guideRole }),
  pinChangeRequired: z.boolean(),
});
export type SignInResponse = z.infer<typeof signInResponse>;

/** `POST /api/v1/staff/pin`: a guide changes their PIN (the current one is checked like a sign-in). */
export const pinChangeRequest = z
  .object({ guideId: uuid, currentPin: pin, newPin })
  .refine((r) => r.currentPin !== r.newPin, {
    message: 'the new PIN must differ from the current one',
    path: ['newPin'],
  });
export type PinChangeRequest = z.infer<typeof pinChangeRequest>;
export const pinChangeResponse = z.object({ ok: z.literal(true) });

/** `details` of a 401 `wrong_pin` / 423 `pin_locked` answer. */
export const pinRefusalDetails = z.object({
  attemptsLeft: z.number().int().min(0),
  lockedUntil: z.string().nullable(),
});
export type PinRefusalDetails = z.infer<typeof pinRefusalDetails>;
