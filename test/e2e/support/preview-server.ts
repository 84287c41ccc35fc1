import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';

const TYPES: Record<string, string> = { html: 'text/html', js: 'text/javascript', css: 'text/css' };

export type PreviewServer = { url: string; close(): void };

/**
 * Bundles a renderer preview page (renderer/testing/*-preview.tsx) with esbuild and serves it on
 * 127.0.0.1 over HTTP (Chromium will not load ES modules, e.g. a lazily loaded chart, from
 * file://). The screenshot tests of screens shown on demo data share it.
 */
export async function servePreview(entry: string): Promise<PreviewServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-preview-'));
  const name = basename(entry).replace(/\.tsx?$/, '');
  await build({
    entryPoints: [resolve(import.meta.dirname, '../../../renderer/testing', basename(entry))],
    bundle: true,
    outdir: dir,
    format: 'esm',
    jsx: 'automatic',
    splitting: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  writeFileSync(
    join(dir, 'index.html'),
    `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><link rel="stylesheet" href="${name}.css"></head><body><div id="root"></div><script type="module" src="${name}.js"></script></body></html>`,
  );
  const server = createServer((req, res) => {
    const file = (req.url ?? '/').split('?')[0]!.replace(/^\/+/, '') || 'index.html';
    try {
      const body = readFileSync(join(dir, file.replaceAll('..', '')));
      res.writeHead(200, {
        'content-type': TYPES[file.split('.').pop() ?? ''] ?? 'application/octet-stream',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close() {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
