import type { ItemResult, RejectCode } from '../../shared/protocol';
import type { HubError } from './hub-client';

type Refusal = Required<Pick<ItemResult, 'reason' | 'code'>>;

/** The field a registration refusal names, and the code the guide's screen has a fix for. */
const REGISTRATION_FIELDS: Record<string, RejectCode> = {
  phone: 'invalid_phone',
  createdAt: 'implausible_time',
  guideId: 'unknown_guide',
};

/**
 * A registration the hub refused as a whole (a 4xx answer, not a per-item result), as a reason
 * code: `conflict` is a customer deleted since, a 400 names the field it refused (the hub's
 * `details: [{ path, message }]`).
 */
export function registrationRefusal(error: HubError): Refusal {
  if (error.reason === 'conflict') return { code: 'customer_gone', reason: error.message };
  const fields = Array.isArray(error.details)
    ? error.details.flatMap((d: unknown) =>
        typeof d === 'object' && d !== null && typeof (d as { path?: unknown }).path === 'string'
          ? [(d as { path: string }).path]
          : [],
      )
    : [];
  const code = fields.map((f) => REGISTRATION_FIELDS[f]).find((c) => c !== undefined);
  return { code: code ?? 'invalid_input', reason: error.message };
}

/** An order the hub refused as a whole (its schema, not its business rules). */
export const orderRefusal = (error: HubError): Refusal => ({
  code: 'invalid_input',
  reason: error.message,
});
