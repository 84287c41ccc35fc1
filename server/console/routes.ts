import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { appResponseHeaders } from '../../shared/web/app-files';
import { buildCsp } from '../../shared/web/csp';
import { errorBody } from '../http/errors';

/**
 * Head office's web console (issue #15 item 6) at `/console/`: the static page built from
 * `console/` (scripts/build-console.mjs) into `HUB_CONSOLE_DIR`. Public: the files hold no data —
 * every figure comes from the admin API, called by the page with the key the user types. Served
 * with the terminal's strict policy (`buildCsp(null)`: scripts and styles from this origin only,
 * no inline script, connections to this origin only, no frames, no form posts).
 */

/** The built files are flat: index.html, console.js, console.css (and their source maps). */
const SAFE_NAME = /^[a-z0-9][a-z0-9.-]{0,80}\.(html|js|css|map)$/;
const CSP = buildCsp(null);

export function registerConsoleRoutes(app: FastifyInstance, dir: string): void {
  app.get('/console', async (_request, reply) => reply.redirect('/console/', 301));
  const serve = async (name: string, reply: FastifyReply) => {
    const body = SAFE_NAME.test(name) ? await readFile(join(dir, name)).catch(() => null) : null;
    if (body === null) {
      const missing = name === 'index.html';
      return reply
        .status(404)
        .headers({ 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' })
        .send(
          errorBody(
            'not_found',
            missing
              ? 'the console is not built: run npm run build (or npm start), or set HUB_CONSOLE_DIR'
              : 'no such console file',
          ),
        );
    }
    // The page is rebuilt in place on upgrades: always revalidate.
    return reply
      .headers({ ...appResponseHeaders(name, CSP), 'cache-control': 'no-cache' })
      .send(body);
  };
  app.get('/console/', async (_request, reply) => serve('index.html', reply));
  app.get<{ Params: { file: string } }>('/console/:file', async (request, reply) =>
    serve(request.params.file || 'index.html', reply),
  );
}
