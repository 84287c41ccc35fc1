import { z } from 'zod';
import { isoInstant, uuid } from './common';
import { pin } from './staff';

/**
 * The guide's own customers (专属导购, issue #15 item 1): which events bind a customer to a guide,
 * and when a binding lapses. Head office sets these once for the chain (`hub:admin binding-rules`,
 * `POST /admin/binding-rules`); the hub keeps them as JSON in its `settings` table and applies them
 * where the events happen (server/bindings/). One guide at a time is not a setting: a customer has
 * at most one binding row, and an event never takes a bound customer from their guide — only an
 * expiry, a release (the guide deactivated) or the store manager's transfer does.
 */
export const bindingRules = z
  .object({
    /** an in-store registration binds the new member to the guide who registered them */
    registeredBy: z.boolean(),
    /**
     * an in-store order of an unbound customer binds them to: `seller` the order's guide;
     * `claimer` the guide who claimed the arrival alert of the visit the order converted (no
     * claim: no binding); `claimer_else_seller` the claimer, else the seller; `off` never
     */
    servedAndBought: z.enum(['off', 'seller', 'claimer', 'claimer_else_seller']),
    /**
     * days without contact (a claim, an in-store order or a follow-up outcome by the bound
     * guide) after which the binding lapses and the customer returns to the store pool; null:
     * bindings never lapse
     */
    expiryDays: z.number().int().min(1).max(3650).nullable(),
  })
  .strict();
export type BindingRules = z.infer<typeof bindingRules>;

/** What a hub that was never configured applies (docs/bindings.md says why). */
export const DEFAULT_BINDING_RULES: BindingRules = {
  registeredBy: true,
  servedAndBought: 'claimer_else_seller',
  expiryDays: 180,
};

/** How a binding came about (`customer_bindings.rule`, `customer_binding_events.rule`). */
export const bindingRule = z.enum(['registered_by', 'served_and_bought', 'transfer']);
export type BindingRule = z.infer<typeof bindingRule>;

/** The binding as the customer feed carries it: the guide (and their name, for the card). */
export const customerBinding = z.object({
  guideId: uuid,
  guideName: z.string(),
  /** when the customer was bound to this guide (bound or transferred) */
  since: isoInstant,
});
export type CustomerBinding = z.infer<typeof customerBinding>;

/**
 * The store manager hands a customer to another guide of the store. The manager's PIN is checked
 * by the hub (with the lockout of sign-in) and the transfer is audited. `id` is born on the
 * terminal: a resend after a lost answer transfers once.
 */
export const bindingTransferRequest = z.object({
  id: uuid,
  toGuideId: uuid,
  managerId: uuid,
  managerPin: pin,
});
export type BindingTransferRequest = z.infer<typeof bindingTransferRequest>;

export const bindingTransferResponse = z.object({
  status: z.enum(['transferred', 'duplicate']),
  binding: customerBinding,
});
export type BindingTransferResponse = z.infer<typeof bindingTransferResponse>;
