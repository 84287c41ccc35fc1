import type { FastifyInstance } from 'fastify';
import { endpoints } from '../../shared/protocol';
import type { HubContext } from '../context';
import { onEndpoint } from '../http/endpoint';
import { statementCsv } from './csv';
import { explainCredit } from './explain';
import { recordOnlineOrders } from './ingest';
import { loadCreditRules, saveCreditRules } from './rules';
import { creditStatement } from './statement';

/**
 * Credit for online sales (issue #15): head office posts online orders and refunds (integration
 * key); IT and head office's finance set the rule chain, explain an order's credit and take the
 * benefit-sharing statement (admin key). The log carries counts and ids, never a customer.
 */
export function registerCreditRoutes(api: FastifyInstance, ctx: HubContext): void {
  const { db } = ctx;
  onEndpoint(api, endpoints.postOnlineOrders, async ({ request, body: { orders } }) => {
    const results = await recordOnlineOrders(db, orders);
    const count = (status: string) => results.filter((r) => r.status === status).length;
    request.log.debug(
      { accepted: count('accepted'), parked: count('parked'), rejected: count('rejected') },
      'online orders recorded',
    );
    return { results };
  });
  onEndpoint(api, endpoints.adminCreditRules, async () => loadCreditRules(db));
  onEndpoint(api, endpoints.adminSetCreditRules, async ({ body }) =>
    saveCreditRules(db, body, 'admin_rest'),
  );
  onEndpoint(api, endpoints.adminCreditExplain, async ({ query: { orderId } }) =>
    explainCredit(db, orderId),
  );
  onEndpoint(api, endpoints.adminCreditStatement, async ({ query }) => creditStatement(db, query));
  onEndpoint(api, endpoints.adminCreditStatementCsv, async ({ query, reply }) =>
    reply
      .type('text/csv; charset=utf-8')
      .header(
        'content-disposition',
        `attachment; filename="credit-statement-${query.from}-${query.to}.csv"`,
      )
      .send(statementCsv(await creditStatement(db, query))),
  );
}
