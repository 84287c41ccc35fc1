const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
};

/** The extension of a path's last segment, with its dot ('' when none). */
function extension(path: string): string {
  const last = path.split(/[\\/]/).pop() ?? '';
  const dot = last.lastIndexOf('.');
  return dot > 0 ? last.slice(dot).toLowerCase() : '';
}

export function mimeType(path: string): string {
  return MIME[extension(path)] ?? 'application/octet-stream';
}

/**
 * Maps an `app://shopguide/...` request to the path segments of a file under the renderer build
 * (the caller joins them to the build folder), or null when the path could leave it: a `..` or
 * `.` segment after decoding (`%2f`, `%5c` included), a NUL, a malformed escape. Unknown paths
 * without an extension get `index.html` (client-side routes). Pure, so the desktop app's protocol
 * handler and the browser-mode terminal server serve exactly the same files.
 */
export function appFileSegments(requestUrl: string): string[] | null {
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(requestUrl).pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  if (pathname === '/' || extension(pathname) === '') return ['index.html'];
  const segments = pathname.split(/[\\/]/).filter((segment) => segment !== '');
  if (segments.some((segment) => segment === '..' || segment === '.' || segment.includes(':')))
    return null;
  return segments;
}

/** Response headers for every app page: the CSP plus the usual hardening headers. */
export function appResponseHeaders(path: string, csp: string): Record<string, string> {
  return {
    'Content-Type': mimeType(path),
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
}
