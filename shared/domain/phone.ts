import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/**
 * Phone numbers are normalised to E.164 everywhere they are stored or compared. Mainland China is
 * the default region, so "138 1234 5678" and "+86 138-1234-5678" are the same customer.
 */
export const DEFAULT_REGION: CountryCode = 'CN';

export type NormalisedPhone = { e164: string; national: string };

/** Returns the E.164 form of a valid mobile (or fixed-line) number, or null when it is not valid. */
export function normalisePhone(
  input: string,
  region: CountryCode = DEFAULT_REGION,
): NormalisedPhone | null {
  const trimmed = input.trim();
  if (trimmed.length < 3 || trimmed.length > 32) return null;
  const parsed = parsePhoneNumberFromString(trimmed, region);
  if (!parsed || !parsed.isValid()) return null;
  return { e164: parsed.number, national: String(parsed.nationalNumber) };
}

/** Last four digits, the 尾号 guides ask for at the counter. */
export function phoneLast4(e164: string): string {
  return e164.replace(/\D/g, '').slice(-4);
}

/** Masked display form: 13812345678 → "138****5678"; other lengths keep the first 3 and last 4. */
export function maskPhone(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  const national = parsed ? String(parsed.nationalNumber) : e164.replace(/\D/g, '');
  if (national.length <= 7)
    return `${national.slice(0, 1)}${'*'.repeat(Math.max(national.length - 3, 1))}${national.slice(-2)}`;
  return `${national.slice(0, 3)}${'*'.repeat(national.length - 7)}${national.slice(-4)}`;
}

/** True when the input looks like a whole phone number rather than a 尾号, code or name. */
export function looksLikeFullPhone(input: string): boolean {
  const digits = input.replace(/[\s\-+()]/g, '');
  return /^\d{7,15}$/.test(digits) && normalisePhone(input) !== null;
}
