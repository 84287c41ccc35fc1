import { z } from 'zod';

/*
 * The terminal's pages and workers, and head office's console, run under a CSP without
 * `'unsafe-eval'` (shared/web/csp.ts). zod 4 compiles a faster object check with `new Function`
 * where it can: under that CSP the attempt is refused and reported as a violation (once per page
 * or worker start), and zod falls back to its interpreted checks anyway. Imported first, for this
 * side effect alone, by every browser entry point (renderer/main.tsx, renderer/sync/page-worker.ts,
 * console/main.tsx) — before any module that builds a schema — so zod never tries. The hub (Node,
 * no CSP) keeps the compiled checks. (The renderer's build keeps this module in zod's own chunk,
 * scripts/renderer-chunks.ts, so it runs before the chunks that build schemas.)
 */
z.config({ jitless: true });
