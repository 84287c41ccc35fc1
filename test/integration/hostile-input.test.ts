import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { z } from 'zod';
import { newId } from '../../shared/domain/ids';
import { CURRENT_NOTICE_VERSION, noticeText } from '../../shared/domain/marketing-notice';
import {
  API_PREFIX,
  claimRequest,
  endpointPath,
  endpoints,
  MAX_SOCKET_MESSAGE_BYTES,
  type ClaimAck,
  type EndpointAuth,
  type EndpointDef,
  type EndpointName,
  statsQuery,
  statsRangeQuery,
  uuid,
} from '../../shared/protocol';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import {
  applyMutation,
  envelopeMutations,
  fieldsOf,
  hasPoisonKey,
  mutationsFor,
  pathParamMutations,
  queryMutations,
} from '../support/hostile-input';
import { TEST_ADMIN_KEY, TEST_INTEGRATION_KEY, type HubProcess } from '../support/hub-process';
import { seedCrmCustomers, seedProducts, unique } from '../support/seed';
import { connectTerminal } from '../support/terminal-socket';

/**
 * One endpoint of the table (shared/protocol/endpoints.ts) and a valid request for it (fresh ids
 * on every call). The body's schema is the table's; a query's too, unless the spec tests one form
 * of it (the stats route's day and range).
 */
type RouteSpec = {
  endpoint: EndpointName;
  /** a `:param` in the path: its valid value */
  param?: () => string;
  body?: { valid: () => unknown };
  query?: { schema?: z.ZodType; valid: () => Record<string, string> };
  /** whether an accepted request may write (reads are never checked for writes) */
  writes: boolean;
};

/** A spec resolved against the table: what the cases are built from. */
type Route = {
  endpoint: EndpointName;
  method: 'GET' | 'POST';
  path: string;
  auth: EndpointAuth;
  param?: () => string;
  body?: { schema: z.ZodType; valid: () => unknown };
  query?: { schema: z.ZodType; valid: () => Record<string, string> };
  writes: boolean;
};

type Case = {
  route: string;
  label: string;
  method: 'GET' | 'POST';
  url: string;
  body?: string;
  auth: EndpointAuth;
  /** the shared schema refuses this request, so the hub must refuse it too (null: not predicted) */
  expectReject: boolean | null;
  mayWrite: boolean;
};

const BODY_LIMIT = 1_048_576;

const safeDecode = (value: string) => {
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
};

/** Whether the shared schema (and the JSON parser in front of it) refuses this body. */
function schemaRefuses(schema: z.ZodType, body: string): boolean {
  if (body.length > BODY_LIMIT || hasPoisonKey(body)) return true;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return true;
  }
  return !schema.safeParse(parsed).success;
}

function queryString(values: Record<string, string>): string {
  const parts = Object.entries(values).map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/** Every hostile case for one route: body fields, query fields, path param, the envelope. */
function casesFor(route: Route): Case[] {
  const name = routeName(route);
  const cases: Case[] = [];
  const param = route.param?.();
  const urlWith = (value: string | undefined, query: string) =>
    // The hostile value goes in as it is (endpointPath would encode it).
    `${API_PREFIX}${value === undefined ? route.path : route.path.replace(/:\w+/, value)}${query}`;
  const validQuery = () => (route.query ? queryString(route.query.valid()) : '');
  const add = (label: string, c: Omit<Case, 'route' | 'label' | 'auth' | 'method'>) =>
    cases.push({ route: name, label, method: route.method, auth: route.auth, ...c });

  if (route.body) {
    const { schema, valid } = route.body;
    const sample = valid();
    for (const field of fieldsOf(schema, sample))
      for (const mutation of mutationsFor(field)) {
        const body = applyMutation(valid(), field.path, mutation);
        const expectReject = schemaRefuses(schema, body);
        add(`${field.path.join('.')}: ${mutation.name}`, {
          url: urlWith(param, validQuery()),
          body,
          expectReject,
          mayWrite: route.writes && !expectReject,
        });
      }
  }
  if (route.method === 'POST')
    for (const mutation of envelopeMutations(route.body?.valid() ?? {})) {
      const body = applyMutation(route.body?.valid() ?? {}, [], mutation);
      const expectReject = route.body ? schemaRefuses(route.body.schema, body) : null;
      add(mutation.name, {
        url: urlWith(param, validQuery()),
        body,
        expectReject:
          expectReject ?? (body.length > BODY_LIMIT || hasPoisonKey(body) || !isJson(body)),
        mayWrite: route.writes && expectReject !== true,
      });
    }
  if (route.query) {
    const { schema, valid } = route.query;
    const sample = valid();
    for (const field of fieldsOf(schema, sample)) {
      const key = String(field.path[0]);
      for (const mutation of queryMutations(field.kind, String(field.value ?? '1'))) {
        const rest = Object.entries(valid())
          .filter(([k]) => k !== key)
          .map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
        if (mutation.value !== null) rest.push(`${key}=${mutation.value}`);
        if (mutation.repeat) rest.push(`${key}=${mutation.value}`);
        add(`?${key}: ${mutation.name}`, {
          url: urlWith(param, rest.length ? `?${rest.join('&')}` : ''),
          // Every value these mutations send is malformed for every query field the protocol
          // has (cursors, limits, flags, instants, days); only leaving a field out can be valid.
          expectReject: mutation.value !== null,
          mayWrite: false,
        });
      }
    }
  }
  // Every route gets hostile query keys, whether it reads a query or not.
  for (const [label, extra] of [
    ['query __proto__', '__proto__=1&__proto__[polluted]=1'],
    ['query constructor.prototype', 'constructor[prototype][polluted]=1'],
    ['query NUL key', '%00=%00'],
  ] as const) {
    const q = validQuery();
    add(label, {
      url: urlWith(param, q ? `${q}&${extra}` : `?${extra}`),
      body: route.method === 'POST' ? JSON.stringify(route.body?.valid() ?? {}) : undefined,
      expectReject: null,
      mayWrite: route.writes,
    });
  }
  if (param !== undefined)
    for (const mutation of pathParamMutations(param)) {
      const decoded = safeDecode(mutation.value);
      const expectReject = decoded === null || !uuid.safeParse(decoded).success;
      add(`:param ${mutation.name}`, {
        url: urlWith(mutation.value, validQuery()),
        body: route.method === 'POST' ? JSON.stringify(route.body?.valid() ?? {}) : undefined,
        expectReject,
        mayWrite: route.writes && !expectReject,
      });
    }
  return cases;
}

function isJson(body: string): boolean {
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

type Outcome = { status: number; refused: boolean; problem: string | null; reset?: boolean };

/** Sends one case; `refused` means nothing may have been written (4xx, or every item refused). */
async function send(hub: HubProcess, c: Case, token: string): Promise<Outcome> {
  const headers: Record<string, string> = {};
  if (c.auth === 'terminal') headers.authorization = `Bearer ${token}`;
  if (c.auth === 'integration') headers['x-integration-key'] = TEST_INTEGRATION_KEY;
  if (c.auth === 'admin') headers['x-admin-key'] = TEST_ADMIN_KEY;
  if (c.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${hub.url}${c.url}`, { method: c.method, headers, body: c.body });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? String(error);
    // Fastify answers an over-limit body from its content-length with 413 and closes the
    // connection; a client still sending may see the reset before the answer. Refused either way.
    if (
      c.body !== undefined &&
      c.body.length > BODY_LIMIT &&
      /ECONNRESET|EPIPE|UND_ERR_SOCKET/.test(cause)
    )
      return { status: 0, refused: true, problem: null, reset: true };
    return { status: 0, refused: false, problem: `no answer: ${cause}` };
  }
  const text = await response.text();
  const status = response.status;
  if (status >= 500) return { status, refused: false, problem: `${status}: ${text.slice(0, 200)}` };
  if (status >= 400) return { status, refused: true, problem: null };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  const results = (body as { results?: { status: string; reason?: string }[] } | null)?.results;
  if (!Array.isArray(results)) return { status, refused: false, problem: null };
  const reasonless = results.find((r) => r.status === 'rejected' && !r.reason);
  if (reasonless) return { status, refused: false, problem: 'rejected item without a reason' };
  return {
    status,
    refused: results.every((r) => r.status === 'rejected' || r.status === 'duplicate'),
    problem: null,
  };
}

describeOnBackends('hostile input matrix', (backend) => {
  let hub: HubProcess;
  let token: string;
  let sql: pg.Client | null = null;
  const fx = { product: { sku: `SKU-HOSTILE-${unique()}`, price: 19_900 } } as Fixture;
  const routes = routeSpecs(fx);
  const figures = {
    cases: 0,
    routes: 0,
    fiveXx: 0,
    refused: 0,
    mayWrite: 0,
    looks: 0,
    resetsOnOverLimit: 0,
    socketCases: 0,
  };

  beforeAll(async () => {
    // Each write case is followed by a look at the database, through the admin API on PGlite:
    // hundreds of admin calls a minute, above the key's normal limit (abuse.test.ts tests limits).
    hub = await backend.startHub({
      // every accepted case of the matrix is a call: no per-hour limit may answer for the schema
      env: { HUB_ADMIN_CALLS_PER_MIN: '100000', HUB_SEARCHES_PER_HOUR: '100000' },
    });
    fx.store = await createStoreFixture(hub);
    token = fx.store.terminals[0]!.token;
    await seedProducts(hub, [{ ...fx.product, stock: { [fx.store.storeId]: 50 } }]);
    // 0: orders, presence, events; 1: erased through integration; 2: through admin; 3 → 4 merged
    fx.customers = await seedCrmCustomers(hub, token, 5, 'H');
    if (hub.options.databaseUrl) {
      sql = new pg.Client({ connectionString: hub.options.databaseUrl });
      await sql.connect();
    }
  });
  afterAll(async () => {
    await sql?.end();
    await backend.cleanup();
  });

  /**
   * A read the fingerprint compares as the hub sent it (raw: the typed client would validate and
   * strip what its schema does not name, and the look must see every field).
   */
  const request = async <T>(
    endpoint: EndpointDef,
    query: Record<string, string> = {},
    params?: Record<string, string>,
  ): Promise<T> => {
    const headers: Record<string, string> =
      endpoint.auth === 'terminal'
        ? { authorization: `Bearer ${token}` }
        : endpoint.auth === 'admin'
          ? { 'x-admin-key': TEST_ADMIN_KEY }
          : { 'x-integration-key': TEST_INTEGRATION_KEY };
    const path = `${API_PREFIX}${endpointPath(endpoint, params)}${queryString(query)}`;
    const response = await fetch(`${hub.url}${path}`, { headers });
    expect(response.status, path).toBe(200);
    return (await response.json()) as T;
  };

  /**
   * What the hub holds. On PostgreSQL: every table's row count, the change sequence and the
   * revoked terminals, read directly. On PGlite (embedded in the hub process, so not readable from
   * here): what the API shows — rows changed in the customer and catalog feeds since the last
   * look, the staff list, the stores, and the store's figures for today (orders, visits, alerts,
   * footfall).
   */
  const heads = { customers: '0', catalog: '0' };
  async function fingerprint(): Promise<unknown> {
    figures.looks++;
    if (sql) {
      const tables = [
        'settings',
        'stores',
        'guides',
        'terminals',
        'customers',
        'online_events',
        'products',
        'store_products',
        'visits',
        'alerts',
        'footfall',
        'orders',
        'order_lines',
        'audit_log',
        'customer_erasures',
        'guide_pin_lockouts',
        'online_orders',
        'online_credits',
        'customer_bindings',
        'customer_binding_events',
        'marketing_consent_events',
        'marketing_consents',
      ];
      // A write's store-scope entries are numbered after its commit (the hub's 1 s round with the
      // chain feed), drawing from change_seq: a look waits for them, so an earlier route's write
      // settling now is not taken for a refused case's. Entries a refused case made would still
      // show (they are counted, and numbering them moves the sequence).
      // Bounded by time (30 s: the round comes every second, later on a loaded machine), and it
      // must be reached: a look taken with entries still unnumbered would compare wrong counts.
      const deadline = Date.now() + 30_000;
      let unnumbered = true;
      while (unnumbered && Date.now() < deadline) {
        const pending = await sql.query(
          'select 1 from customer_store_scope where seq is null limit 1',
        );
        unnumbered = pending.rows.length > 0;
        if (unnumbered) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(unnumbered, 'store-scope entries still unnumbered after 30 s').toBe(false);
      const counts = [...tables, 'customer_store_scope']
        .map((t) => `(select count(*) from ${t})::int as ${t}`)
        .join(', ');
      const { rows } = await sql.query(
        `select ${counts}, (select last_value from change_seq)::text as seq,
                (select count(*) from terminals where revoked_at is not null)::int as revoked`,
      );
      return rows[0];
    }
    const changed: Record<string, number> = {};
    const feeds = { customers: endpoints.syncCustomers, catalog: endpoints.syncCatalog };
    for (const feed of ['customers', 'catalog'] as const) {
      let count = 0;
      for (let page = 0; page < 100; page++) {
        const r = await request<{ items: unknown[]; cursor: string; hasMore: boolean }>(
          feeds[feed],
          { after: heads[feed], limit: '5000', withTotal: 'false' },
        );
        count += r.items.length;
        heads[feed] = r.cursor;
        if (!r.hasMore) break;
      }
      changed[feed] = count;
    }
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    return {
      changed,
      staff: await request(endpoints.syncStaff),
      stores: ((await request<{ items: unknown[] }>(endpoints.adminListStores)).items ?? []).length,
      stats: await request(endpoints.storeStats, { date: today }, { storeId: fx.store.storeId }),
    };
  }
  /** A fingerprint with nothing changed since `before` (feed changes are counted since then). */
  const unchanged = (before: unknown): unknown =>
    sql ? before : { ...(before as object), changed: { customers: 0, catalog: 0 } };

  it('every endpoint in the table has hostile cases for its body, query and path parameter', () => {
    const gaps: string[] = [];
    for (const [name, definition] of Object.entries(endpoints) as [EndpointName, EndpointDef][]) {
      const route = `${name} (${definition.method} ${definition.path})`;
      const covering = routes.filter((r) => r.endpoint === name);
      if (covering.length === 0) gaps.push(`${route}: no hostile cases`);
      for (const r of covering) {
        if (casesFor(r).length === 0) gaps.push(`${route}: no hostile cases`);
        if (Boolean(definition.body) !== Boolean(r.body))
          gaps.push(`${route}: body cases ${r.body ? 'for a route without a body' : 'missing'}`);
        if (Boolean(definition.query) !== Boolean(r.query))
          gaps.push(`${route}: query cases ${r.query ? 'for a route without a query' : 'missing'}`);
        if (Boolean(definition.params) !== (r.param !== undefined))
          gaps.push(
            `${route}: path parameter cases ${r.param ? 'for a route without one' : 'missing'}`,
          );
        // The cases mutate a request the table accepts, so what they change is what is refused.
        if (r.body && !r.body.schema.safeParse(r.body.valid()).success)
          gaps.push(`${route}: its valid body is refused by the table's schema`);
        if (r.query && !definition.query?.safeParse(r.query.valid()).success)
          gaps.push(`${route}: its valid query is refused by the table's schema`);
        const param = definition.path.match(/:(\w+)/)?.[1];
        if (r.param && param && !definition.params?.safeParse({ [param]: r.param() }).success)
          gaps.push(`${route}: its valid path parameter is refused by the table's schema`);
      }
    }
    expect(gaps).toEqual([]);
  });

  for (const route of routes) {
    it(`${routeName(route)}: each hostile case is refused or rejected with a reason, never a 5xx; refused ones write nothing`, async () => {
      // The cases the schema refuses first, as one run checked with two looks at the database;
      // then the rest, each write followed by a fresh look.
      const all = casesFor(route);
      const cases = [
        ...all.filter((c) => c.expectReject === true),
        ...all.filter((c) => c.expectReject !== true),
      ];
      figures.routes++;
      const failures: string[] = [];
      // On PostgreSQL every refused case is checked (a look is one query). On PGlite a look is
      // five API calls, so the schema-refused run is checked as a whole and the cases after the
      // first write that may have written are not (PostgreSQL covers them).
      const looksAreCheap = sql !== null;
      let baseline: unknown = await fingerprint();
      let pending: string[] = [];
      const verify = async () => {
        if (pending.length === 0 || baseline === null) return;
        const now = await fingerprint();
        if (JSON.stringify(now) !== JSON.stringify(unchanged(baseline)))
          failures.push(`a refused case wrote: one of ${pending.join(' | ')}`);
        baseline = now;
        pending = [];
      };
      for (const c of cases) {
        if (c.mayWrite) {
          figures.mayWrite++;
          await verify();
        }
        const outcome = await send(hub, c, token);
        figures.cases++;
        if (outcome.status >= 500 || (outcome.status === 0 && !outcome.reset)) figures.fiveXx++;
        if (outcome.reset) figures.resetsOnOverLimit++;
        if (outcome.refused) figures.refused++;
        if (outcome.problem) failures.push(`${c.label}: ${outcome.problem}`);
        if (c.expectReject === true && !outcome.refused)
          failures.push(`${c.label}: the schema refuses it, the hub answered ${outcome.status}`);
        if (c.mayWrite) baseline = looksAreCheap ? await fingerprint() : null;
        else if (outcome.refused && baseline !== null) pending.push(c.label);
      }
      await verify();
      expect(failures, routeName(route)).toEqual([]);
      expect(cases.length).toBeGreaterThanOrEqual(3);
    });
  }

  it('alert:claim over the socket: a malformed claim gets invalid_input, none an internal error', async () => {
    let socket = await connectTerminal(hub, token);
    try {
      const valid = () => ({ alertId: newId(), guideId: fx.store.guide.id });
      const failures: string[] = [];
      let count = 0;
      let oversized = 0;
      for (const field of fieldsOf(claimRequest, valid()))
        for (const mutation of mutationsFor(field)) {
          // socket.io's encoder walks payloads recursively: 10,000 levels is the HTTP cases' job.
          if (mutation.name.includes('deep')) continue;
          const text = applyMutation(valid(), field.path, mutation);
          count++;
          if (Buffer.byteLength(text) > MAX_SOCKET_MESSAGE_BYTES) {
            // Over the message limit: the hub closes the connection before parsing it (nothing
            // is claimed); the terminal reconnects, and the next case runs on a new socket.
            oversized++;
            const closed = new Promise<string>((resolve) => socket.once('disconnect', resolve));
            // acknowledged only if the hub answered, which must not happen
            let answered = false;
            socket.emit('alert:claim', JSON.parse(text), () => {
              answered = true;
            });
            expect(await closed).toBe('transport close');
            expect(answered).toBe(false);
            socket.close();
            socket = await connectTerminal(hub, token);
            continue;
          }
          const ack = (await socket
            .timeout(10_000)
            .emitWithAck('alert:claim', JSON.parse(text))) as ClaimAck;
          const code = ack.ok ? 'ok' : ack.error.code;
          // A well-formed claim for an alert that does not exist is not_found.
          const expected = schemaRefuses(claimRequest, text) ? 'invalid_input' : 'not_found';
          if (code !== expected)
            failures.push(`${field.path.join('.')}: ${mutation.name}: ${code}`);
        }
      figures.socketCases = count;
      expect(failures).toEqual([]);
      expect(count).toBeGreaterThanOrEqual(20);
      // the 100k-character strings: refused by size, and the rest answered on a new socket
      expect(oversized).toBeGreaterThan(0);
      expect(oversized).toBeLessThan(count);
    } finally {
      socket.close();
    }
  });

  it('covers every route with at least 500 cases, and the hub still serves valid requests', async () => {
    expect(new Set(routes.map((r) => `${r.method} ${r.path}`)).size).toBe(
      Object.keys(endpoints).length,
    );
    expect(figures.routes).toBe(routes.length);
    // Printed for docs/reliability.md.
    console.info(`hostile matrix (${backend.kind}): ${JSON.stringify(figures)}`);
    expect(figures.cases).toBeGreaterThanOrEqual(500);
    expect(figures.fiveXx).toBe(0);
    const terminal = await request<{ terminalId: string }>(endpoints.terminalInfo);
    expect(terminal.terminalId).toBe(fx.store.terminals[0]!.id);
  });
});

type Fixture = {
  store: StoreFixture;
  /** 0: orders, presence, events; 1: erased through integration; 2: through admin; 3 → 4 merged */
  customers: string[];
  product: { sku: string; price: number };
};

const ANY_GUIDE_ID = newId();

const routeName = (route: Route) =>
  `${route.method} ${route.path}${route.query ? `?${Object.keys(route.query.valid()).join('&')}` : ''}`;

/**
 * Every endpoint of the table (the stats route in its day and range forms), each with a valid
 * request; the fixture is read when a request is built, after the hub started. Method, path, auth
 * and the body's schema come from the table; a test below fails when an endpoint has no spec here.
 */
function routeSpecs(fx: Fixture): Route[] {
  return specs(fx).map(resolve);
}

/** A spec with its method, path, credential and schemas from the endpoint table. */
function resolve(spec: RouteSpec): Route {
  const definition: EndpointDef = endpoints[spec.endpoint];
  const { method, path, auth } = definition;
  const route: Route = { endpoint: spec.endpoint, method, path, auth, writes: spec.writes };
  if (spec.param) route.param = spec.param;
  if (spec.body) {
    if (!definition.body) throw new Error(`${spec.endpoint}: the table gives this route no body`);
    route.body = { schema: definition.body, valid: spec.body.valid };
  }
  if (spec.query) {
    const schema = spec.query.schema ?? definition.query;
    if (!schema) throw new Error(`${spec.endpoint}: the table gives this route no query`);
    route.query = { schema, valid: spec.query.valid };
  }
  return route;
}

function specs(fx: Fixture): RouteSpec[] {
  const now = () => new Date().toISOString();
  const daysAgo = (days: number) =>
    new Date(Date.now() + 8 * 3_600_000 - days * 86_400_000).toISOString().slice(0, 10);
  const today = () => daysAgo(0);
  const phone = () => `139${unique().padStart(8, '0').slice(-8)}`;
  const feed = { valid: () => ({ after: '0', limit: '10', withTotal: 'true' }) };
  // The store exists only once the suite has started (route names are built before).
  const storeQuery = {
    valid: () => ({ store: (fx.store as StoreFixture | undefined)?.storeId ?? newId() }),
  };
  return [
    { endpoint: 'terminalInfo', writes: false },
    {
      endpoint: 'terminalStatus',
      writes: true,
      body: {
        valid: () => ({ appVersion: '0.1.0', pendingOutbox: 2, rejectedOutbox: 0 }),
      },
    },
    { endpoint: 'syncCustomers', query: feed, writes: false },
    { endpoint: 'syncCatalog', query: feed, writes: false },
    { endpoint: 'syncStaff', writes: false },
    { endpoint: 'syncFollowUps', query: feed, writes: false },
    {
      // schema-valid; the hub answers the unknown alert `rejected` in its per-item results
      endpoint: 'postVisitOutcomes',
      writes: true,
      body: {
        valid: () => ({
          outcomes: [
            {
              id: newId(),
              alertId: newId(),
              guideId: fx.store.guide.id,
              reason: 'other',
              note: '等朋友',
              at: now(),
            },
          ],
        }),
      },
    },
    {
      endpoint: 'postFollowUpOutcomes',
      writes: true,
      body: {
        valid: () => ({
          outcomes: [
            {
              id: newId(),
              taskId: newId(),
              guideId: fx.store.guide.id,
              outcome: 'contacted',
              note: 'n',
              at: now(),
            },
          ],
        }),
      },
    },
    {
      endpoint: 'registerCustomer',
      writes: true,
      body: {
        valid: () => ({
          id: newId(),
          name: '测试顾客',
          phone: phone(),
          gender: 'female',
          birthday: '1990-05-01',
          sizes: { top: 'M' },
          consentMarketing: true,
          guideId: fx.store.guide.id,
          notes: 'likes silk',
          createdAt: now(),
        }),
      },
    },
    {
      // writes the search's audit entry; found members enter the store's scope
      endpoint: 'searchCustomers',
      writes: true,
      body: { valid: () => ({ by: 'memberCode', memberCode: 'NO-SUCH-MEMBER' }) },
    },
    {
      endpoint: 'postOrders',
      writes: true,
      body: {
        valid: () => ({
          orders: [
            {
              id: newId(),
              storeId: fx.store.storeId,
              terminalId: fx.store.terminals[0]!.id,
              guideId: fx.store.guide.id,
              customerId: fx.customers[0],
              paymentMethod: 'wechat',
              createdAt: now(),
              lines: [
                { sku: fx.product.sku, quantity: 1, unitPrice: fx.product.price, discount: 0 },
              ],
            },
          ],
        }),
      },
    },
    {
      endpoint: 'syncRejects',
      writes: false,
      body: {
        valid: () => ({
          rejects: [
            {
              feed: 'customers',
              id: fx.customers[0],
              seq: '12',
              reason: 'phoneLast4: Too big',
              at: now(),
            },
          ],
        }),
      },
    },
    {
      endpoint: 'storeOrders',
      writes: false,
      // an id the test names can be built before the hub starts (the route's name is read from
      // the query's keys when the tests are collected); an unknown guide is a valid, empty filter
      query: { valid: () => ({ date: today(), guideId: ANY_GUIDE_ID }) },
    },
    {
      endpoint: 'storeOrder',
      writes: false,
      // any well-formed id: an unknown one is a 404, the hostile spellings must be 4xx too
      param: () => newId(),
    },
    {
      endpoint: 'postAudit',
      writes: true,
      body: {
        valid: () => ({
          entries: [
            {
              id: newId(),
              action: 'profile_opened',
              guideId: fx.store.guide.id,
              customerId: fx.customers[0],
              at: now(),
            },
          ],
        }),
      },
    },
    {
      endpoint: 'alerts',
      writes: false,
      query: { valid: () => ({ since: now() }) },
    },
    {
      endpoint: 'otherStoresStock',
      writes: false,
      body: { valid: () => ({ sku: fx.product.sku, limit: 5 }) },
    },
    {
      endpoint: 'storeStats',
      param: () => fx.store.storeId,
      writes: false,
      // The table's query takes a date or a range; each form's own schema names its fields.
      query: { schema: statsQuery, valid: () => ({ date: today() }) },
    },
    {
      endpoint: 'storeStats',
      param: () => fx.store.storeId,
      writes: false,
      query: {
        schema: statsRangeQuery,
        // within MAX_STATS_RANGE_DAYS (a fixed start date ran past it as the months went by)
        valid: () => ({ from: daysAgo(30), to: today() }),
      },
    },
    {
      endpoint: 'presence',
      writes: true,
      body: {
        valid: () => ({
          customer: { customerId: fx.customers[0] },
          storeId: fx.store.storeId,
          source: 'wifi',
          at: now(),
        }),
      },
    },
    {
      endpoint: 'presenceBatch',
      writes: true,
      body: {
        valid: () => ({
          events: [
            {
              customer: { customerId: fx.customers[0] },
              storeId: fx.store.storeId,
              source: 'beacon',
              at: now(),
            },
            { customer: { memberCode: `MH${unique()}` }, storeId: fx.store.storeId, source: 'qr' },
          ],
        }),
      },
    },
    {
      endpoint: 'footfall',
      writes: true,
      body: {
        valid: () => ({ storeId: fx.store.storeId, at: now(), count: 3 }),
      },
    },
    {
      endpoint: 'importCustomers',
      writes: true,
      body: {
        valid: () => {
          const n = unique();
          return {
            customers: [
              {
                crmId: `crm-h-${n}`,
                name: '会员',
                phone: phone(),
                memberCode: `MH${n}`,
                tier: 'gold',
                points: 10,
                gender: 'female',
                birthday: '1985-01-01',
                sizes: { top: 'M', shoe: '37' },
                favouriteCategories: ['连衣裙'],
                homeStoreId: fx.store.storeId,
                tags: ['vip'],
                notes: 'n',
                consentMarketing: true,
              },
            ],
          };
        },
      },
    },
    {
      endpoint: 'onlineEvents',
      writes: true,
      body: {
        valid: () => ({
          events: [
            {
              id: `ev-${unique()}`,
              customer: { customerId: fx.customers[0] },
              type: 'viewed',
              sku: fx.product.sku,
              channel: 'app',
              at: now(),
              dwellSeconds: 5,
            },
          ],
        }),
      },
    },
    {
      endpoint: 'importProducts',
      writes: true,
      body: {
        valid: () => ({
          products: [
            {
              sku: `SKU-H-${unique()}`,
              barcode: '69012345',
              name: '真丝围巾',
              category: '配饰',
              size: 'M',
              colour: 'red',
              styleCode: 'STYLE-H',
              sizeKind: 'top',
              price: 1000,
              active: true,
              stock: { [fx.store.storeId]: 5 },
            },
          ],
        }),
      },
    },
    {
      endpoint: 'postOnlineOrders',
      writes: true,
      body: {
        valid: () => ({
          orders: [
            {
              id: `WX-H-${unique()}`,
              type: 'order',
              customer: { customerId: fx.customers[0] },
              channel: 'wechat_mini',
              at: now(),
              amount: fx.product.price,
              lines: [{ sku: fx.product.sku, quantity: 1, unitPrice: fx.product.price }],
            },
          ],
        }),
      },
    },
    {
      endpoint: 'mergeCustomers',
      writes: true,
      body: {
        valid: () => ({ sourceId: fx.customers[3], targetId: fx.customers[4] }),
      },
    },
    {
      endpoint: 'eraseCustomer',
      writes: true,
      body: {
        valid: () => ({ customerId: fx.customers[1], reason: 'customer request' }),
      },
    },
    { endpoint: 'adminListStores', writes: false },
    {
      endpoint: 'adminCreateStore',
      writes: true,
      body: {
        valid: () => ({
          name: `Hostile ${unique()}`,
          timezone: 'Asia/Shanghai',
          lat: 31.2,
          lng: 121.4,
          geofenceRadiusM: 200,
        }),
      },
    },
    {
      endpoint: 'adminCreateGuide',
      writes: true,
      body: {
        valid: () => ({ storeId: fx.store.storeId, name: '新导购', role: 'guide', pin: '480613' }),
      },
    },
    {
      endpoint: 'adminListGuides',
      query: storeQuery,
      writes: false,
    },
    // Guide lifecycle on the second guide (the matrix's orders use the first); reactivated last.
    {
      endpoint: 'adminDeactivateGuide',
      param: () => fx.store.guide2.id,
      writes: true,
    },
    {
      // PIN checks count towards the guide's lockout and are audited: a valid request writes.
      endpoint: 'signIn',
      writes: true,
      body: {
        valid: () => ({ guideId: fx.store.guide.id, pin: fx.store.guide.pin }),
      },
    },
    {
      endpoint: 'changePin',
      writes: true,
      body: {
        valid: () => ({
          guideId: fx.store.manager.id,
          currentPin: fx.store.manager.pin,
          newPin: '605148',
        }),
      },
    },
    {
      endpoint: 'adminResetPin',
      param: () => fx.store.guide2.id,
      writes: true,
      body: { valid: () => ({ pin: '246813' }) },
    },
    {
      endpoint: 'adminReactivateGuide',
      param: () => fx.store.guide2.id,
      writes: true,
    },
    {
      endpoint: 'adminListTerminals',
      query: storeQuery,
      writes: false,
    },
    {
      endpoint: 'adminCreateTerminal',
      writes: true,
      body: {
        valid: () => ({ storeId: fx.store.storeId, name: 'Counter H' }),
      },
    },
    // The second terminal is the one revoked; the first keeps the token the matrix uses.
    {
      endpoint: 'adminRevokeTerminal',
      param: () => fx.store.terminals[1]!.id,
      writes: true,
    },
    {
      endpoint: 'adminEraseCustomer',
      param: () => fx.customers[2]!,
      writes: true,
      body: {
        valid: () => ({ reason: 'customer request' }),
      },
    },
    {
      endpoint: 'adminAudit',
      writes: false,
      query: {
        valid: () => ({
          // read when the route is named, before the fixture exists: any id will do
          customerId: newId(),
          from: '2026-06-01',
          to: today(),
          limit: '50',
        }),
      },
    },
    { endpoint: 'adminCreditRules', writes: false },
    {
      endpoint: 'adminSetCreditRules',
      writes: true,
      body: {
        valid: () => ({
          chain: [
            { rule: 'claimed_visit', windowDays: 7, measure: 'store_days' },
            { rule: 'bound_guide' },
            { rule: 'home_store' },
          ],
        }),
      },
    },
    {
      endpoint: 'adminCreditExplain',
      writes: false,
      // an id the hub never received: 404, and the hostile variants of it are refused too
      query: { valid: () => ({ orderId: 'WX-H-unknown' }) },
    },
    {
      endpoint: 'adminCreditStatement',
      writes: false,
      query: { valid: () => ({ from: daysAgo(30), to: today() }) },
    },
    {
      endpoint: 'adminCreditStatementCsv',
      writes: false,
      query: { valid: () => ({ from: daysAgo(30), to: today() }) },
    },
    // Head office's console (#15 item 6): the chain's KPIs over store-local days.
    {
      endpoint: 'adminChainStats',
      writes: false,
      query: { valid: () => ({ from: daysAgo(30), to: today() }) },
    },
    // The environment's integration key stays valid after a rotation.
    { endpoint: 'adminRotateIntegrationKey', writes: true },
    // The guide's own customers (issue #15 item 1): a transfer checks the manager's PIN (audited).
    {
      endpoint: 'transferBinding',
      param: () => fx.customers[0]!,
      writes: true,
      body: {
        valid: () => ({
          id: newId(),
          toGuideId: fx.store.guide.id,
          managerId: fx.store.manager.id,
          managerPin: fx.store.manager.pin,
        }),
      },
    },
    { endpoint: 'adminGetBindingRules', writes: false },
    {
      endpoint: 'adminSetBindingRules',
      writes: true,
      body: {
        valid: () => ({ registeredBy: true, servedAndBought: 'seller', expiryDays: 90 }),
      },
    },
    {
      // schema-valid; a hash of another text or a guide of another store is answered `rejected`
      endpoint: 'postConsents',
      writes: true,
      body: {
        valid: () => ({
          changes: [
            {
              id: newId(),
              customerId: fx.customers[0],
              guideId: fx.store.guide.id,
              granted: true,
              noticeVersion: CURRENT_NOTICE_VERSION,
              noticeLocale: 'zh-CN',
              noticeHash: createHash('sha256')
                .update(noticeText(CURRENT_NOTICE_VERSION, 'zh-CN'))
                .digest('hex'),
              at: now(),
            },
          ],
        }),
      },
    },
    {
      // schema-valid; a guide of another store or an unknown member is answered `rejected`
      endpoint: 'postProfileEdits',
      writes: true,
      body: {
        valid: () => ({
          edits: [
            {
              id: newId(),
              customerId: fx.customers[0],
              guideId: fx.store.guide.id,
              at: now(),
              changes: { sizes: { top: 'M' }, tags: ['常客'], notes: '喜欢棉麻' },
            },
          ],
        }),
      },
    },
    {
      // schema-valid; an order this hub does not have is answered `rejected` (unknown_order)
      endpoint: 'postReturns',
      writes: true,
      body: {
        valid: () => ({
          returns: [
            {
              id: newId(),
              orderId: newId(),
              storeId: fx.store.storeId,
              terminalId: fx.store.terminals[0]!.id,
              guideId: fx.store.guide.id,
              kind: 'return',
              reason: 'size',
              createdAt: now(),
              lines: [{ lineNo: 1, quantity: 1 }],
            },
          ],
        }),
      },
    },
    { endpoint: 'adminGetReturnSettings', writes: false },
    {
      endpoint: 'adminSetReturnSettings',
      writes: true,
      body: { valid: () => ({ managerApprovalAboveFen: 80_000 }) },
    },
    { endpoint: 'adminGetOutreachSettings', writes: false },
    {
      endpoint: 'adminSetOutreachSettings',
      writes: true,
      body: {
        valid: () => ({
          miniStoreUrlPattern: 'https://m.example.com/p/{styleCode}?sku={sku}&guide={guideId}',
        }),
      },
    },
  ];
}
