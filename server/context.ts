import type { FastifyBaseLogger } from 'fastify';
import type { HubConfig } from './config';
import type { Db } from './db/database';
import type { Realtime } from './realtime/realtime';

/** What every feature module of the hub gets: the database, live channel, config and logger. */
export type HubContext = {
  db: Db;
  realtime: Realtime;
  config: HubConfig;
  log: FastifyBaseLogger;
};
