/**
 * Server timeouts, so a slow or silent client cannot hold a connection and its memory:
 * - headers must arrive within 10 s of the connection's request start (slowloris);
 * - a whole request, body included, within 30 s (a 1 MiB batch takes well under a second on a
 *   store's uplink; responses such as a long feed page are not bounded by this), the default of
 *   `HUB_REQUEST_TIMEOUT_MS` (config.ts); headers within the shorter of the two;
 * - idle keep-alive connections close after 72 s, longer than the 60 s idle timeout of common
 *   load balancers, so the balancer, not the hub, closes first (no race on a reused socket).
 */
export const HTTP_TIMEOUTS = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 72_000 };
