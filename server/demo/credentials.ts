import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { guideRole, uuid } from '../../shared/protocol';

/** What `hub:seed` writes for people and scripts (simulate, demos): keys, tokens, PINs. */
export const demoCredentials = z.object({
  integrationKey: z.string(),
  adminKey: z.string(),
  hubUrl: z.string(),
  stores: z.array(
    z.object({
      id: uuid,
      name: z.string(),
      timezone: z.string(),
      lat: z.number(),
      lng: z.number(),
      terminals: z.array(z.object({ id: uuid, name: z.string().optional(), token: z.string() })),
      guides: z.array(z.object({ id: uuid, name: z.string(), pin: z.string(), role: guideRole })),
    }),
  ),
  sampleCustomers: z.array(
    z.object({
      id: uuid,
      name: z.string(),
      phone: z.string(),
      memberCode: z.string(),
      homeStoreId: uuid.nullable(),
    }),
  ),
});
export type DemoCredentials = z.infer<typeof demoCredentials>;

export const CREDENTIALS_FILE = 'demo-credentials.json';
export const credentialsPath = (dataDir: string) => join(dataDir, CREDENTIALS_FILE);

/** The previous run's file, or null when it is missing or unreadable (then keys are re-issued). */
export function readCredentials(path: string): DemoCredentials | null {
  try {
    const parsed = demoCredentials.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function writeCredentials(path: string, credentials: DemoCredentials): void {
  mkdirSync(dirname(path), { recursive: true });
  // Write-then-rename: a crash never leaves half a file (and the secrets are owner-only).
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}
