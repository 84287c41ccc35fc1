import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { notFound } from '../http/errors';

/**
 * `GET /updates/:file` — the generic feed electron-updater reads: `latest.yml` (Windows),
 * `latest-linux.yml`, `latest-mac.yml`, the installers and their `.blockmap`s, copied from
 * electron-builder's `release/<version>/` into the hub's `HUB_UPDATES_DIR`. Public on purpose:
 * installers hold no secrets, and a revoked terminal must still be able to get a fixed build.
 * Single byte ranges are honoured so an interrupted download resumes.
 */

/** Only plain file names: no paths, no dot-files, nothing outside the updates dir. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._ -]{0,200}$/;

const TYPES: Record<string, string> = {
  '.yml': 'text/yaml; charset=utf-8',
  '.yaml': 'text/yaml; charset=utf-8',
  '.json': 'application/json',
};

export function isServableUpdateFile(name: string): boolean {
  return SAFE_NAME.test(name) && !name.includes('..');
}

/** Parses `bytes=a-b` / `bytes=a-` / `bytes=-n` for one range; null for anything else. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!match || (match[1] === '' && match[2] === '')) return null;
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  return start <= end && start < size ? { start, end } : null;
}

export function registerUpdateRoutes(app: FastifyInstance, dir: string): void {
  app.get<{ Params: { file: string } }>('/updates/:file', async (request, reply) => {
    const { file } = request.params;
    if (!isServableUpdateFile(file)) throw notFound('no such update file');
    const path = join(dir, file);
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) throw notFound('no such update file');

    const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    // The channel files change with every release; the installers never change under one name.
    const cache = type.startsWith('text/yaml') ? 'no-cache' : 'public, max-age=86400';
    reply
      .header('Content-Type', type)
      .header('Cache-Control', cache)
      .header('Accept-Ranges', 'bytes');

    const range = request.headers.range ? parseRange(request.headers.range, info.size) : null;
    if (request.headers.range && range === null) {
      return reply.code(416).header('Content-Range', `bytes */${info.size}`).send();
    }
    if (range) {
      reply
        .code(206)
        .header('Content-Range', `bytes ${range.start}-${range.end}/${info.size}`)
        .header('Content-Length', range.end - range.start + 1);
      return reply.send(createReadStream(path, range));
    }
    reply.header('Content-Length', info.size);
    return reply.send(createReadStream(path));
  });
}
