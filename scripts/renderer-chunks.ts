/**
 * How the renderer's build splits its output, shared by the packaged app's build
 * (electron.vite.config.ts) and the browser-mode build (scripts/start-terminal.ts) so both ship the
 * same chunks. Screens are split at their React.lazy boundary (renderer/app/screen-switch.tsx);
 * these large libraries are needed from the start (name initials and phone normalisation run in
 * sync, migrations and lookup, which cannot wait for a chunk), so they are not lazy: each gets its
 * own file so no single chunk carries them all. zod shares its file with shared/web/no-eval.ts, whose
 * only statement tells zod the page has no eval: every module that builds a schema imports this
 * chunk, so the statement has run before the first schema is built (left in the entry's own chunk,
 * it ran after the schemas built by the chunks the entry imports).
 */
export const rendererCodeSplitting = {
  groups: [
    { name: 'pinyin-pro', test: /[\\/]node_modules[\\/]pinyin-pro[\\/]/ },
    { name: 'libphonenumber', test: /[\\/]node_modules[\\/]libphonenumber-js[\\/]/ },
    {
      name: 'zod',
      test: /[\\/]node_modules[\\/]zod[\\/]|[\\/]shared[\\/]web[\\/]no-eval\.ts$/,
    },
  ],
};
