import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { EndpointDef, EndpointResponse } from '../../shared/protocol';
import { BATCH_BODY_LIMIT, SMALL_BODY_LIMIT } from './access';
import { parseInput } from './errors';

type Parsed<S> = S extends z.ZodType ? z.infer<S> : undefined;

/** What a route handler gets: its input, parsed with the endpoint's schemas, and the request. */
export type EndpointCall<E extends EndpointDef> = {
  params: Parsed<E['params']>;
  query: Parsed<E['query']>;
  body: Parsed<E['body']>;
  request: FastifyRequest;
  reply: FastifyReply;
};

/**
 * Registers a route from its entry in the endpoint table (`shared/protocol/endpoints.ts`): method,
 * path, access and body limit come from there, and the path parameters, query and body are parsed
 * with its schemas before the handler runs (a 400 with every issue when they do not fit; nothing
 * is written). The handler answers the endpoint's response type, or sends through `reply` itself
 * (a status other than 200, bytes from a cache).
 */
export function onEndpoint<E extends EndpointDef>(
  api: FastifyInstance,
  endpoint: E,
  handler: (call: EndpointCall<E>) => Promise<EndpointResponse<E> | FastifyReply>,
): void {
  api.route({
    method: endpoint.method,
    url: endpoint.path,
    config: { access: endpoint.auth },
    bodyLimit: endpoint.batch ? BATCH_BODY_LIMIT : SMALL_BODY_LIMIT,
    handler: async (request, reply) => {
      const parse = (schema: z.ZodType | undefined, input: unknown, what: string) =>
        schema === undefined ? undefined : parseInput(schema, input, what);
      return handler({
        params: parse(endpoint.params, request.params, 'path') as Parsed<E['params']>,
        query: parse(endpoint.query, request.query, 'query') as Parsed<E['query']>,
        body: parse(endpoint.body, request.body, 'request body') as Parsed<E['body']>,
        request,
        reply,
      });
    },
  });
}
