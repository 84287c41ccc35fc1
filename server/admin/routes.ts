import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  adminStoreQuery,
  auditQuery,
  eraseRequest,
  newGuideRequest,
  newStore,
  newTerminalRequest,
  resetPinRequest,
  uuid,
} from '../../shared/protocol';
import { queryAudit } from '../audit/service';
import type { HubContext } from '../context';
import { eraseCustomer } from '../customers/erase';
import { parseInput } from '../http/errors';
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
  api.register(
    async (admin) => {
      admin.get('/stores', { config: { access: 'admin' } }, async () => ({
        items: await listStores(db),
      }));
      admin.post('/stores', { config: { access: 'admin' } }, async (request, reply) => {
        const input = parseInput(newStore, request.body);
        return reply.status(201).send(await createStore(db, input, 'admin_rest'));
      });
      admin.post('/guides', { config: { access: 'admin' } }, async (request, reply) => {
        const input = parseInput(newGuideRequest, request.body);
        const created = await createGuide(db, input, 'admin_rest');
        ctx.realtime.toStore(input.storeId, 'staff:changed', {});
        return reply.status(201).send(created);
      });
      admin.get('/guides', { config: { access: 'admin' } }, async (request) => {
        const { store } = parseInput(adminStoreQuery, request.query, 'query');
        return { items: await listGuides(db, store) };
      });
      // Guide lifecycle (a leaver, a forgotten PIN). The store's terminals pull staff on
      // `staff:changed`; the log carries ids only, never the guide's name or PIN.
      for (const [action, active] of [
        ['deactivate', false],
        ['reactivate', true],
      ] as const)
        admin.post(`/guides/:id/${action}`, { config: { access: 'admin' } }, async (request) => {
          const { id } = parseInput(z.object({ id: uuid }), request.params, 'guide id');
          const state = await setGuideActive(db, id, active, 'admin_rest');
          ctx.realtime.toStore(state.storeId, 'staff:changed', {});
          request.log.info(
            { guideId: state.id, storeId: state.storeId, action },
            `guide ${action}d by admin`,
          );
          return state;
        });
      admin.post('/guides/:id/reset-pin', { config: { access: 'admin' } }, async (request) => {
        const { id } = parseInput(z.object({ id: uuid }), request.params, 'guide id');
        const { pin } = parseInput(resetPinRequest, request.body);
        const reset = await resetGuidePin(db, id, pin, 'admin_rest');
        ctx.realtime.toStore(reset.storeId, 'staff:changed', {});
        request.log.info(
          { guideId: reset.id, storeId: reset.storeId, action: 'reset-pin' },
          'guide PIN reset by admin',
        );
        return { ...reset, ok: true };
      });
      admin.get('/terminals', { config: { access: 'admin' } }, async (request) => {
        const { store } = parseInput(adminStoreQuery, request.query, 'query');
        return { items: await listTerminals(db, store) };
      });
      admin.post('/terminals', { config: { access: 'admin' } }, async (request, reply) => {
        const input = parseInput(newTerminalRequest, request.body);
        return reply.status(201).send(await createTerminal(db, input, 'admin_rest'));
      });
      admin.post('/terminals/:id/revoke', { config: { access: 'admin' } }, async (request) => {
        const { id } = parseInput(z.object({ id: uuid }), request.params, 'terminal id');
        await revokeTerminal(db, id, 'admin_rest');
        ctx.realtime.revokeTerminal(id);
        return { ok: true };
      });
      // Erasure on request for IT / the data-protection officer, same as the integration API.
      admin.post('/customers/:id/erase', { config: { access: 'admin' } }, async (request) => {
        const { id } = parseInput(z.object({ id: uuid }), request.params, 'customer id');
        const { reason } = parseInput(eraseRequest.pick({ reason: true }), request.body);
        const { cursor, ...response } = await eraseCustomer(
          db,
          { customerId: id, reason },
          'admin_rest',
        );
        if (cursor) ctx.realtime.toAll('customers:changed', { cursor });
        return response;
      });
      // "Who looked at this member, when, where" (issue #13), for IT / the data-protection officer.
      admin.get('/audit', { config: { access: 'admin' } }, async (request) =>
        queryAudit(db, parseInput(auditQuery, request.query, 'audit query')),
      );
      admin.post('/integration-key/rotate', { config: { access: 'admin' } }, async () => ({
        integrationKey: await rotateIntegrationKey(db, 'admin_rest'),
      }));
    },
    { prefix: '/admin' },
  );
}
