import type {
  BindingTransferRequest,
  BindingTransferResponse,
  ConsentChange,
  CustomerRegistration,
  ItemResult,
  ProfileEdit,
  RegistrationResponse,
} from '../../../shared/protocol';
import {
  applyProfileChanges,
  EMPTY_IN_STORE,
  EMPTY_TERMINAL_ONLINE,
} from '../../../shared/protocol';
import { phoneHash } from '../../../shared/domain/crypto';
import { normalisePhone, phoneLast4 } from '../../../shared/domain/phone';
import { phoneTag } from '../../../shared/domain/phone-tag';
import { err, ok } from '../../../shared/result';
import type { HubResult } from '../../sync/hub-client';
import { checkGuidePin } from './pin';
import type { FakeHubState } from './state';

/** `POST /customers`: a registration, matched to a known customer by phone hash first. */
export async function register(
  hub: FakeHubState,
  registration: CustomerRegistration,
): Promise<HubResult<RegistrationResponse>> {
  const phone = normalisePhone(registration.phone);
  if (!phone)
    return err({
      code: 'rejected' as const,
      message: 'invalid phone number',
      status: 400,
      reason: 'invalid_input' as const,
      details: [{ path: 'phone', message: 'not a valid phone number' }],
    });
  const hash = await phoneHash(hub.phoneKey, phone.e164);
  // The full hash stays on the hub, as on the real one (profiles carry only 尾号 + tag). For
  // profiles a test put in directly the fake knows no hash: it matches those on 尾号 + tag.
  const knownId = hub.phoneHashes.get(hash);
  const last4 = phoneLast4(phone.e164);
  const existing = hub
    .liveCustomers()
    .find((c) =>
      knownId !== undefined
        ? c.id === knownId
        : c.phoneLast4 === last4 && c.phoneTag === phoneTag(hash),
    );
  if (existing) return ok({ status: 'existing' as const, customer: existing });
  const byId = hub.customers.get(registration.id);
  if (byId && !('deleted' in byId)) return ok({ status: 'existing' as const, customer: byId });
  const customer = hub.upsertCustomer({
    id: registration.id,
    seq: '0',
    name: registration.name,
    phoneLast4: phoneLast4(phone.e164),
    phoneTag: phoneTag(hash),
    memberCode: `S${registration.id.slice(-8)}`,
    tier: 'regular',
    points: 0,
    gender: registration.gender,
    birthday: registration.birthday ? registration.birthday.slice(5, 10) : null,
    sizes: registration.sizes,
    favouriteCategories: [],
    homeStoreId: null,
    tags: [],
    notes: registration.notes ?? '',
    online: EMPTY_TERMINAL_ONLINE,
    inStore: EMPTY_IN_STORE,
    lifetimeSpend: 0,
  });
  hub.phoneHashes.set(hash, customer.id);
  return ok({ status: 'created' as const, customer });
}

/** As the hub: once per id; the latest change by the terminal's clock becomes the feed's state. */
export function takeConsent(hub: FakeHubState, c: ConsentChange): ItemResult {
  if (hub.consentChanges.has(c.id)) return { id: c.id, status: 'duplicate' };
  hub.consentChanges.set(c.id, structuredClone(c));
  const profile = hub.customers.get(c.customerId);
  if (!profile || 'deleted' in profile) return { id: c.id, status: 'accepted' };
  const current = profile.marketingConsent;
  if (!current?.at || Date.parse(current.at) < Date.parse(c.at)) {
    hub.upsertCustomer({
      ...profile,
      marketingConsent: { granted: c.granted, at: c.at, noticeVersion: c.noticeVersion },
    });
    queueMicrotask(() => hub.emit('customersChanged', { cursor: hub.cursor() }));
  }
  return { id: c.id, status: 'accepted' };
}

/** As the hub: once per id; each named field takes the edit's value (later received wins). */
export function takeProfileEdit(hub: FakeHubState, e: ProfileEdit): ItemResult {
  if (hub.profileEdits.has(e.id)) return { id: e.id, status: 'duplicate' };
  const profile = hub.customers.get(e.customerId);
  if (!profile)
    return { id: e.id, status: 'rejected', code: 'unknown_customer', about: [e.customerId] };
  if ('deleted' in profile)
    return { id: e.id, status: 'rejected', code: 'customer_erased', about: [e.customerId] };
  hub.profileEdits.set(e.id, structuredClone(e));
  hub.upsertCustomer(applyProfileChanges(profile, e.changes));
  queueMicrotask(() => hub.emit('customersChanged', { cursor: hub.cursor() }));
  return { id: e.id, status: 'accepted' };
}

/** `POST /customers/:id/binding/transfer`: a manager moves the customer to another guide (PIN checked). */
export async function transferBinding(
  hub: FakeHubState,
  customerId: string,
  request: BindingTransferRequest,
): Promise<HubResult<BindingTransferResponse>> {
  const earlier = hub.transfers.get(request.id);
  const current = () => {
    const c = hub.customers.get(earlier?.customerId ?? customerId);
    return c && !('deleted' in c) ? c : null;
  };
  if (earlier && current()?.binding)
    return ok({ status: 'duplicate' as const, binding: current()!.binding! });
  const checked = await checkGuidePin(hub, request.managerId, request.managerPin);
  if (!checked.ok) return checked;
  if (checked.value.guide.role !== 'manager')
    return err({
      code: 'rejected',
      message: 'not a manager',
      status: 403,
      reason: 'forbidden',
    });
  const target = hub.staff.find((s) => s.id === request.toGuideId && s.active);
  const customer = current();
  if (!target || !customer)
    return err({
      code: 'rejected',
      message: 'unknown',
      status: 400,
      reason: 'invalid_input',
    });
  const binding = {
    guideId: target.id,
    guideName: target.name,
    since: new Date(hub.now()).toISOString(),
  };
  hub.upsertCustomer({ ...customer, binding });
  hub.transfers.set(request.id, {
    customerId,
    toGuideId: target.id,
    managerId: request.managerId,
  });
  return ok({ status: 'transferred' as const, binding });
}
