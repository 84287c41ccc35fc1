import { z } from 'zod';
import { hubUrl as hubUrlSchema } from '../../../shared/bridge';

/**
 * Deployment configuration of a terminal: which hub it talks to, an optional enrolment token
 * pre-seeded by IT, the update feed and kiosk mode. Hundreds of store PCs are rolled out without
 * typing, so IT can set this through (highest priority first):
 *
 * 1. command-line switches: `--hub-url=https://hub.example.cn --enrol-token=... --kiosk`
 * 2. `shopguide.config.json` next to the executable (per install)
 * 3. `shopguide.config.json` in the system config dir (per machine: `%ProgramData%\ShopGuide`,
 *    `/etc/shopguide`, `/Library/Application Support/ShopGuide`)
 * 4. what the guide entered on the first-run screen (saved in the user data dir)
 *
 * Everything is parsed here, purely, so every rule is unit-tested without Electron.
 */

export const CONFIG_FILE_NAME = 'shopguide.config.json';

const configFile = z.strictObject({
  hubUrl: hubUrlSchema.optional(),
  enrolToken: z.string().trim().min(16).max(512).optional(),
  /** defaults to `<hubUrl>/updates` */
  updateFeedUrl: hubUrlSchema.optional(),
  /** `false` turns auto-update off for this deployment (e.g. updates pushed by IT's tooling) */
  autoUpdate: z.boolean().optional(),
  kiosk: z.boolean().optional(),
  /** printer name receipts go to without a dialog */
  receiptPrinter: z.string().trim().min(1).max(256).optional(),
});
export type ConfigFile = z.infer<typeof configFile>;

export type ConfigSource = 'command-line' | 'config-file' | 'first-run' | 'none';

export type DeploymentConfig = {
  hubUrl: string | null;
  hubOrigin: string | null;
  source: ConfigSource;
  enrolToken: string | null;
  updateFeedUrl: string | null;
  autoUpdate: boolean;
  kiosk: boolean;
  receiptPrinter: string | null;
  /** problems worth logging (a broken config file must not stop the counter PC from starting) */
  warnings: string[];
};

/** Drops a trailing slash so `${hubUrl}/api/v1` never doubles it. */
export function normaliseHubUrl(url: string): string {
  const parsed = new URL(url.trim());
  const path = parsed.pathname.replace(/\/+$/, '');
  return `${parsed.origin}${path}`;
}

const SWITCHES = {
  '--hub-url': 'hubUrl',
  '--enrol-token': 'enrolToken',
  '--update-feed-url': 'updateFeedUrl',
  '--receipt-printer': 'receiptPrinter',
} as const;

/** Reads our switches from argv (`--name=value` or `--name value`); unknown switches are Chromium's. */
export function parseCommandLine(argv: readonly string[]): {
  values: Partial<ConfigFile>;
  warnings: string[];
} {
  const raw: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--kiosk') {
      raw.kiosk = true;
      continue;
    }
    if (arg === '--no-auto-update') {
      raw.autoUpdate = false;
      continue;
    }
    for (const [flag, key] of Object.entries(SWITCHES)) {
      if (arg.startsWith(`${flag}=`)) raw[key] = arg.slice(flag.length + 1);
      else if (arg === flag && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) {
        raw[key] = argv[++i];
      }
    }
  }
  return validate(raw, 'command line');
}

/** Parses a config file's text; a broken file yields warnings and no values. */
export function parseConfigFile(
  text: string,
  path: string,
): { values: Partial<ConfigFile>; warnings: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, '')); // Notepad writes a BOM
  } catch {
    return { values: {}, warnings: [`${path}: not valid JSON, ignored`] };
  }
  return validate(json, path);
}

function validate(
  raw: unknown,
  where: string,
): { values: Partial<ConfigFile>; warnings: string[] } {
  const parsed = configFile.safeParse(raw);
  if (parsed.success) return { values: parsed.data, warnings: [] };
  const issues = parsed.error.issues
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  // Never echo values: an enrolment token may be among them.
  return { values: {}, warnings: [`${where}: ${issues}; ignored`] };
}

/** The system-wide config directory for a platform. */
export function systemConfigDir(platform: string, env: Record<string, string | undefined>): string {
  if (platform === 'win32') return `${env.ProgramData ?? 'C:\\ProgramData'}\\ShopGuide`;
  if (platform === 'darwin') return '/Library/Application Support/ShopGuide';
  return '/etc/shopguide';
}

/**
 * Merges the sources. Each field comes from the highest-priority source that sets it, so IT can
 * pin the hub in a machine-wide file and still pass `--kiosk` on one shortcut.
 */
export function resolveDeploymentConfig(input: {
  argv: readonly string[];
  /** config files in priority order (next to the exe first), with their text or null if absent */
  files: { path: string; text: string | null }[];
  /** the hub URL saved by the first-run screen, if any */
  savedHubUrl: string | null;
  isPackaged: boolean;
}): DeploymentConfig {
  const warnings: string[] = [];
  const cli = parseCommandLine(input.argv);
  warnings.push(...cli.warnings);
  const fromFiles: Partial<ConfigFile>[] = [];
  for (const file of input.files) {
    if (file.text === null) continue;
    const parsed = parseConfigFile(file.text, file.path);
    warnings.push(...parsed.warnings);
    fromFiles.push(parsed.values);
  }
  const pick = <K extends keyof ConfigFile>(key: K): ConfigFile[K] | undefined =>
    cli.values[key] ?? fromFiles.find((f) => f[key] !== undefined)?.[key];

  let hubUrl: string | null = null;
  let source: ConfigSource = 'none';
  if (cli.values.hubUrl !== undefined) {
    hubUrl = cli.values.hubUrl;
    source = 'command-line';
  } else if (pick('hubUrl') !== undefined) {
    hubUrl = pick('hubUrl')!;
    source = 'config-file';
  } else if (input.savedHubUrl !== null && hubUrlSchema.safeParse(input.savedHubUrl).success) {
    hubUrl = input.savedHubUrl;
    source = 'first-run';
  }
  hubUrl = hubUrl === null ? null : normaliseHubUrl(hubUrl);

  const feed = pick('updateFeedUrl');
  const updateFeedUrl = feed ? normaliseHubUrl(feed) : hubUrl ? `${hubUrl}/updates` : null;
  return {
    hubUrl,
    hubOrigin: hubUrl === null ? null : new URL(hubUrl).origin,
    source,
    enrolToken: pick('enrolToken') ?? null,
    updateFeedUrl,
    // Updating an unpackaged (development) build would replace nothing useful and confuse.
    autoUpdate: input.isPackaged && (pick('autoUpdate') ?? true) && updateFeedUrl !== null,
    kiosk: pick('kiosk') ?? false,
    receiptPrinter: pick('receiptPrinter') ?? null,
    warnings,
  };
}
