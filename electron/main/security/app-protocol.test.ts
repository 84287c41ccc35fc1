import { join } from 'node:path';
import { appResponseHeaders, resolveAppFile } from './app-protocol';

const root = join('/opt', 'ShopGuide', 'renderer');

describe('app protocol', () => {
  it('serves files from the renderer build and index.html for app routes', () => {
    expect(resolveAppFile('app://shopguide/', root)).toBe(join(root, 'index.html'));
    expect(resolveAppFile('app://shopguide/alerts/123', root)).toBe(join(root, 'index.html'));
    expect(resolveAppFile('app://shopguide/assets/main-1a2b.js', root)).toBe(
      join(root, 'assets', 'main-1a2b.js'),
    );
  });

  it('never serves a file outside the build', () => {
    // URL parsing already folds `..` into the root; whatever comes out stays inside the build
    expect(resolveAppFile('app://shopguide/../../etc/passwd.txt', root)).toBe(
      join(root, 'etc', 'passwd.txt'),
    );
    expect(resolveAppFile('app://shopguide/..%2f..%2fsecrets.json', root)).toBeNull();
    expect(resolveAppFile('app://shopguide/a%00.js', root)).toBeNull();
  });

  it('sends the CSP with every response', () => {
    const headers = appResponseHeaders('/x/index.html', "default-src 'none'");
    expect(headers['Content-Security-Policy']).toBe("default-src 'none'");
    expect(headers['Content-Type']).toMatch(/text\/html/);
    expect(headers['X-Content-Type-Options']).toBe('nosniff');
  });
});
