// The worker entry when the hub runs from source (tsx, vitest): Node 20 applies neither the
// parent's `--import tsx` nor its loader hooks to a worker's entry, so the thread registers tsx
// itself, then loads the TypeScript entry. The built hub starts out/hub/pglite-worker.js directly.
import { register } from 'tsx/esm/api';

register();
await import('./pglite-worker.ts');
