import { adminEndpoints } from './endpoints-admin';
import { integrationEndpoints } from './endpoints-integration';
import { terminalEndpoints } from './endpoints-terminal';
import { endpoints } from './endpoints';

/*
 * The table is spread from three per-caller files: a key or a route written in two of them would
 * silently replace the first one, so the merged table is checked for both.
 */
describe('the endpoint table', () => {
  const parts = [terminalEndpoints, integrationEndpoints, adminEndpoints];

  it('has each name in one per-caller table only', () => {
    const names = parts.flatMap((part) => Object.keys(part));
    expect(names.length).toBeGreaterThan(30);
    expect(new Set(names).size).toBe(names.length);
    expect(Object.keys(endpoints).length).toBe(names.length);
  });

  it('has each method and path once', () => {
    const routes = Object.values(endpoints).map((e) => `${e.method} ${e.path}`);
    expect(new Set(routes).size).toBe(routes.length);
  });
});
