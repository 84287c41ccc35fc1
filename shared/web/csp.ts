/**
 * The Content-Security-Policy of the terminal's pages, built from the configured hub origin. The
 * same function feeds the Electron protocol handler, the browser-mode static server and the
 * end-to-end test, so what is tested is what ships. Pure: no Electron import.
 *
 * - scripts only from the app itself (no inline, no eval): an injected `<script>` does nothing;
 * - connections only to the app and the hub (http(s) and the matching ws(s) for socket.io);
 * - no plugins, frames, forms or `<base>` tricks.
 */
export function buildCsp(hubOrigin: string | null): string {
  const connect = ["'self'"];
  if (hubOrigin !== null) {
    const origin = normaliseOrigin(hubOrigin);
    connect.push(origin, origin.replace(/^http/, 'ws'));
  }
  const directives: [string, string[]][] = [
    ['default-src', ["'none'"]],
    ['script-src', ["'self'"]],
    ['style-src', ["'self'"]],
    ['img-src', ["'self'", 'data:', 'blob:']],
    ['font-src', ["'self'"]],
    ['connect-src', connect],
    ['manifest-src', ["'self'"]],
    ['worker-src', ["'self'"]],
    ['media-src', ["'none'"]],
    ['object-src', ["'none'"]],
    ['frame-src', ["'none'"]],
    ['child-src', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
  ];
  return directives.map(([name, values]) => `${name} ${values.join(' ')}`).join('; ');
}

/** The origin (`scheme://host[:port]`) of an http(s) URL; throws on anything else. */
export function normaliseOrigin(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`hub origin must be http(s), got ${parsed.protocol}`);
  }
  return parsed.origin;
}
