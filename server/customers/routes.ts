import type { FastifyInstance } from 'fastify';
import {
  endpoints,
  type BatchResponse,
  type CustomerSearchResponse,
  type EraseResponse,
  type MergeResponse,
  type RegistrationResponse,
} from '../../shared/protocol';
import type { HubContext } from '../context';
import { terminalOf } from '../http/access';
import { onEndpoint } from '../http/endpoint';
import { announceFollowUps } from '../follow-ups/routes';
import { HubError } from '../http/errors';
import { upsertCrmCustomers } from './crm';
import { eraseCustomer } from './erase';
import { mergeCustomers } from './merge';
import { recordOnlineEvents } from './online-events';
import { registerCustomer } from './registration';
import { settleAfterWrite } from './scope-runner';
import { searchCustomers } from './search';

/** Customer writes: head-office CRM upserts, merges and erasures, and in-store registration. */
export function registerCustomerRoutes(api: FastifyInstance, ctx: HubContext): void {
  const announce = (cursor: string | null) => {
    // Emitted after commit, so the pull it triggers sees the change.
    if (cursor) ctx.realtime.toAll('customers:changed', { cursor });
  };

  onEndpoint(
    api,
    endpoints.importCustomers,
    async ({ body: { customers } }): Promise<BatchResponse> => {
      const { results, cursor } = await upsertCrmCustomers(ctx.db, customers);
      await settleAfterWrite(ctx);
      announce(cursor);
      return { results };
    },
  );

  onEndpoint(api, endpoints.registerCustomer, async ({ request, reply, body: input }) => {
    const terminal = terminalOf(request);
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
    await settleAfterWrite(ctx);
    announce(cursor);
    const body: RegistrationResponse = { status, customer };
    return reply.status(status === 'created' ? 201 : 200).send(body);
  });

  onEndpoint(api, endpoints.searchCustomers, async ({ request, reply, body: query }) => {
    const terminal = terminalOf(request);
    const customers = await searchCustomers(
      ctx.db,
      terminal,
      query,
      ctx.config.searchesPerHour,
    ).catch((error: unknown) => {
      if (error instanceof HubError && error.status === 429) {
        const { retryAfterSeconds } = error.details as { retryAfterSeconds: number };
        void reply.header('retry-after', String(retryAfterSeconds));
      }
      throw error;
    });
    // Numbered now, so the store's next feed page carries the members found.
    await settleAfterWrite(ctx);
    const body: CustomerSearchResponse = { customers };
    return body;
  });

  onEndpoint(api, endpoints.onlineEvents, async ({ body: { events } }): Promise<BatchResponse> => {
    const { results, cursor } = await recordOnlineEvents(ctx.db, events, {
      nearbyDays: ctx.config.onlineNearbyDays,
    });
    // Members seen online near a store are numbered into its feed (when events carry a place).
    if (events.some((e) => e.location)) await settleAfterWrite(ctx);
    announce(cursor);
    return { results };
  });

  onEndpoint(api, endpoints.mergeCustomers, async ({ body: input }): Promise<MergeResponse> => {
    const { cursor, followUpStores, ...response } = await mergeCustomers(ctx.db, input);
    await settleAfterWrite(ctx);
    announce(cursor);
    announceFollowUps(ctx, followUpStores);
    return response;
  });

  onEndpoint(api, endpoints.eraseCustomer, async ({ body: input }): Promise<EraseResponse> => {
    const { cursor, followUpStores, ...response } = await eraseCustomer(
      ctx.db,
      input,
      'integration',
    );
    announce(cursor);
    announceFollowUps(ctx, followUpStores);
    return response;
  });
}
