import type { FastifyInstance } from 'fastify';
import {
  crmCustomersRequest,
  customerRegistration,
  eraseRequest,
  mergeRequest,
  onlineEventsRequest,
  type BatchResponse,
  type EraseResponse,
  type MergeResponse,
  type RegistrationResponse,
} from '../../shared/protocol';
import type { HubContext } from '../context';
import { BATCH_BODY_LIMIT, terminalOf } from '../http/access';
import { HubError, parseInput } from '../http/errors';
import { upsertCrmCustomers } from './crm';
import { eraseCustomer } from './erase';
import { mergeCustomers } from './merge';
import { recordOnlineEvents } from './online-events';
import { registerCustomer } from './registration';

/** Customer writes: head-office CRM upserts, merges and erasures, and in-store registration. */
export function registerCustomerRoutes(api: FastifyInstance, ctx: HubContext): void {
  const announce = (cursor: string | null) => {
    // Emitted after commit, so the pull it triggers sees the change.
    if (cursor) ctx.realtime.toAll('customers:changed', { cursor });
  };

  api.post(
    '/integration/customers',
    { config: { access: 'integration' }, bodyLimit: BATCH_BODY_LIMIT },
    async (request): Promise<BatchResponse> => {
      const { customers } = parseInput(crmCustomersRequest, request.body);
      const { results, cursor } = await upsertCrmCustomers(ctx.db, customers);
      announce(cursor);
      return { results };
    },
  );

  api.post('/customers', { config: { access: 'terminal' } }, async (request, reply) => {
    const terminal = terminalOf(request);
    const input = parseInput(customerRegistration, request.body);
    const { status, customer, cursor } = await registerCustomer(ctx.db, terminal, input, {
      lookupsPerHour: ctx.config.registrationLookupsPerHour,
    }).catch((error: unknown) => {
      // Like the hub's other 429s: the terminal keeps the registration and retries after this.
      if (error instanceof HubError && error.status === 429) {
        const { retryAfterSeconds } = error.details as { retryAfterSeconds: number };
        void reply.header('retry-after', String(retryAfterSeconds));
      }
      throw error;
    });
    announce(cursor);
    const body: RegistrationResponse = { status, customer };
    return reply.status(status === 'created' ? 201 : 200).send(body);
  });

  api.post(
    '/integration/events',
    { config: { access: 'integration' }, bodyLimit: BATCH_BODY_LIMIT },
    async (request): Promise<BatchResponse> => {
      const { events } = parseInput(onlineEventsRequest, request.body);
      const { results, cursor } = await recordOnlineEvents(ctx.db, events);
      announce(cursor);
      return { results };
    },
  );

  api.post(
    '/integration/customers/merge',
    { config: { access: 'integration' } },
    async (request): Promise<MergeResponse> => {
      const input = parseInput(mergeRequest, request.body);
      const { cursor, ...response } = await mergeCustomers(ctx.db, input);
      announce(cursor);
      return response;
    },
  );

  api.post(
    '/integration/customers/erase',
    { config: { access: 'integration' } },
    async (request): Promise<EraseResponse> => {
      const input = parseInput(eraseRequest, request.body);
      const { cursor, ...response } = await eraseCustomer(ctx.db, input, 'integration');
      announce(cursor);
      return response;
    },
  );
}
