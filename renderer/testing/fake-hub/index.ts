/**
 * An in-process hub for unit, property and component tests (test support: lint keeps app code
 * from importing renderer/testing/). It models the real hub's semantics — change sequence,
 * tombstones, idempotent order ids, phone de-duplication on registration — and lets a test cut the
 * network, lose responses after the hub committed, duplicate or replay old responses, and revoke
 * the terminal.
 *
 * What it holds and how a test seeds it: `state.ts`; what a terminal's calls get: `client.ts`,
 * over the hub's rules in `orders.ts`, `customers.ts`, `follow-ups.ts` and `pin.ts`.
 */
import type { HubClient } from '../../sync/hub-client';
import { fakeHubClient } from './client';
import { FakeHubState } from './state';

export class FakeHub extends FakeHubState {
  client(): HubClient {
    return fakeHubClient(this);
  }
}
