import type { FastifyInstance } from 'fastify';
import { endpoints } from '../../shared/protocol';
import { queryAudit } from '../audit/service';
import type { HubContext } from '../context';
import { eraseCustomer } from '../customers/erase';
import { announceFollowUps } from '../follow-ups/routes';
import { onEndpoint } from '../http/endpoint';
import {
  createGuide,
  createStore,
  createTerminal,
  listGuides,
  listStores,
  listTerminals,
  resetGuidePin,
  revokeTerminal,
  rotateIntegrationKey,
  setGuideActive,
} from './service';

/**
 * IT administration over REST (`X-Admin-Key`); `npm run hub:admin` offers the same operations.
 * Every change is audited with source `admin_rest` (server/admin/service.ts).
 */
export function registerAdminRoutes(api: FastifyInstance, ctx: HubContext): void {
  const { db } = ctx;
  onEndpoint(api, endpoints.adminListStores, async () => ({ items: await listStores(db) }));
  onEndpoint(api, endpoints.adminCreateStore, async ({ reply, body }) => {
    const created = await createStore(db, body, 'admin_rest');
    // This node reloaded its stores; the others reload theirs now rather than within 10 s.
    ctx.realtime.toPeers('stores:changed');
    return reply.status(201).send(created);
  });
  onEndpoint(api, endpoints.adminCreateGuide, async ({ reply, body }) => {
    const created = await createGuide(db, body, 'admin_rest');
    ctx.realtime.toStore(body.storeId, 'staff:changed', {});
    return reply.status(201).send(created);
  });
  onEndpoint(api, endpoints.adminListGuides, async ({ query: { store } }) => ({
    items: await listGuides(db, store),
  }));
  // Guide lifecycle (a leaver, a forgotten PIN). The store's terminals pull staff on
  // `staff:changed`; the log carries ids only, never the guide's name or PIN.
  for (const [route, action, active] of [
    [endpoints.adminDeactivateGuide, 'deactivate', false],
    [endpoints.adminReactivateGuide, 'reactivate', true],
  ] as const)
    onEndpoint(api, route, async ({ request, params: { id } }) => {
      const { released, customersCursor, ...state } = await setGuideActive(
        db,
        id,
        active,
        'admin_rest',
      );
      ctx.realtime.toStore(state.storeId, 'staff:changed', {});
      if (customersCursor) ctx.realtime.toAll('customers:changed', { cursor: customersCursor });
      request.log.info(
        { guideId: state.id, storeId: state.storeId, action, releasedCustomers: released },
        `guide ${action}d by admin`,
      );
      return state;
    });
  onEndpoint(api, endpoints.adminResetPin, async ({ request, params: { id }, body: { pin } }) => {
    const reset = await resetGuidePin(db, id, pin, 'admin_rest');
    ctx.realtime.toStore(reset.storeId, 'staff:changed', {});
    request.log.info(
      { guideId: reset.id, storeId: reset.storeId, action: 'reset-pin' },
      'guide PIN reset by admin',
    );
    return { ...reset, ok: true as const };
  });
  onEndpoint(api, endpoints.adminListTerminals, async ({ query: { store } }) => ({
    items: await listTerminals(db, store),
  }));
  onEndpoint(api, endpoints.adminCreateTerminal, async ({ reply, body }) =>
    reply.status(201).send(await createTerminal(db, body, 'admin_rest')),
  );
  onEndpoint(api, endpoints.adminRevokeTerminal, async ({ params: { id } }) => {
    const { tokenHash } = await revokeTerminal(db, id, 'admin_rest');
    // Answers once every node forgot the terminal's cached principal (realtime.ts).
    await ctx.realtime.revokeTerminal(id, tokenHash);
    return { ok: true as const };
  });
  // Erasure on request for IT / the data-protection officer, same as the integration API.
  onEndpoint(api, endpoints.adminEraseCustomer, async ({ params: { id }, body: { reason } }) => {
    const { cursor, followUpStores, ...response } = await eraseCustomer(
      db,
      { customerId: id, reason },
      'admin_rest',
    );
    if (cursor) ctx.realtime.toAll('customers:changed', { cursor });
    announceFollowUps(ctx, followUpStores);
    return response;
  });
  // "Who looked at this member, when, where" (issue #13), for IT / the data-protection officer.
  onEndpoint(api, endpoints.adminAudit, async ({ query }) => queryAudit(db, query));
  onEndpoint(api, endpoints.adminRotateIntegrationKey, async () => ({
    integrationKey: await rotateIntegrationKey(db, 'admin_rest'),
  }));
}
