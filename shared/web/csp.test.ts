import { buildCsp, normaliseOrigin } from './csp';

const directive = (csp: string, name: string): string[] =>
  csp
    .split('; ')
    .find((d) => d.startsWith(`${name} `))!
    .split(' ')
    .slice(1);

describe('buildCsp', () => {
  it('allows scripts only from the app: no inline, no eval, no remote script', () => {
    const csp = buildCsp('http://hub.local:4600');
    expect(directive(csp, 'script-src')).toEqual(["'self'"]);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(directive(csp, 'default-src')).toEqual(["'none'"]);
  });

  it('connects only to the app and the hub origin, over http and ws', () => {
    const csp = buildCsp('http://192.168.1.20:4600/some/path');
    expect(directive(csp, 'connect-src')).toEqual([
      "'self'",
      'http://192.168.1.20:4600',
      'ws://192.168.1.20:4600',
    ]);
  });

  it('uses wss for an https hub', () => {
    expect(directive(buildCsp('https://hub.example.cn'), 'connect-src')).toEqual([
      "'self'",
      'https://hub.example.cn',
      'wss://hub.example.cn',
    ]);
  });

  it('allows no outside connection at all before a hub is configured (first run)', () => {
    expect(directive(buildCsp(null), 'connect-src')).toEqual(["'self'"]);
  });

  it('forbids frames, plugins, forms and base-uri tricks', () => {
    const csp = buildCsp(null);
    for (const name of ['object-src', 'frame-src', 'frame-ancestors', 'base-uri', 'form-action']) {
      expect(directive(csp, name)).toEqual(["'none'"]);
    }
  });

  it('refuses a non-http hub origin rather than writing it into the policy', () => {
    expect(() => buildCsp('javascript:alert(1)')).toThrow();
    expect(() => buildCsp("http://a.b; script-src 'unsafe-inline'")).toThrow();
    expect(normaliseOrigin('https://Hub.Example.cn:443/x')).toBe('https://hub.example.cn');
  });
});
