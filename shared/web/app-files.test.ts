import { appFileSegments, appResponseHeaders, mimeType } from './app-files';

describe('app files', () => {
  it('serves files from the renderer build and index.html for app routes', () => {
    expect(appFileSegments('app://shopguide/')).toEqual(['index.html']);
    expect(appFileSegments('app://shopguide/alerts/123')).toEqual(['index.html']);
    expect(appFileSegments('app://shopguide/assets/main-1a2b.js')).toEqual([
      'assets',
      'main-1a2b.js',
    ]);
  });

  it('never names a file outside the build', () => {
    // URL parsing already folds a literal `..` into the root: what comes out stays inside
    expect(appFileSegments('app://shopguide/../../etc/passwd.txt')).toEqual(['etc', 'passwd.txt']);
    // Escaped separators only appear after decoding: refused
    expect(appFileSegments('app://shopguide/..%2f..%2fsecrets.json')).toBeNull();
    expect(appFileSegments('app://shopguide/..%5c..%5csecrets.json')).toBeNull();
    expect(appFileSegments('app://shopguide/assets/%2e%2e/%2e%2e/x.js')).toEqual(['x.js']);
    expect(appFileSegments('app://shopguide/a%00.js')).toBeNull();
    expect(appFileSegments('app://shopguide/C:%5cWindows%5cwin.ini')).toBeNull();
    expect(appFileSegments('app://shopguide/%E0%A4%A.js')).toBeNull();
  });

  it('types what it serves, and sends the CSP with every response', () => {
    expect(mimeType('assets/main.JS')).toMatch(/text\/javascript/);
    expect(mimeType('font.woff2')).toBe('font/woff2');
    expect(mimeType('.hidden')).toBe('application/octet-stream');
    const headers = appResponseHeaders('/x/index.html', "default-src 'none'");
    expect(headers['Content-Security-Policy']).toBe("default-src 'none'");
    expect(headers['Content-Type']).toMatch(/text\/html/);
    expect(headers['X-Content-Type-Options']).toBe('nosniff');
  });
});
