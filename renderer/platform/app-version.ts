// Replaced at build time by electron.vite.config.ts / the e2e build (`define`).
declare const __APP_VERSION__: string | undefined;

/** The app version baked into the renderer build ("dev" when run unbuilt, e.g. in unit tests). */
export const APP_VERSION = typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : 'dev';
