// `npm run build` (after the typecheck): bundles the hub and its CLIs into out/hub/ with esbuild.
// The settings (entries, externals, target) are scripts/hub-esbuild.mjs, shared with the tests.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildConsole, CONSOLE_OUT } from './build-console.mjs';
import { hubBuildOptions } from './hub-esbuild.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'out/hub');

rmSync(outdir, { recursive: true, force: true });
const result = await build({ ...hubBuildOptions(root, outdir), metafile: true });
for (const [file, meta] of Object.entries(result.metafile.outputs)) {
  if (file.endsWith('.js')) console.log(`${file}  ${(meta.bytes / 1024).toFixed(0)} KiB`);
}
// Head office's web console, served by the hub at /console/ (HUB_CONSOLE_DIR, default out/console).
await buildConsole();
console.log(`${CONSOLE_OUT}/  (head-office console)`);
