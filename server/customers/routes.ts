import type { FastifyInstance } from 'fastify';
import type { HubContext } from '../context';

// Placeholder until this feature lands (see issue 2); registers no routes yet.
export function registerCustomerRoutes(_api: FastifyInstance, _ctx: HubContext): void {}
