import { expect } from 'vitest';
import { endpoints, type BatchResponse, type Order } from '../../shared/protocol';
import { newId } from '../../shared/domain/ids';
import type { Queryable } from '../../server/db/database';
import type { StoreFixture } from './fixtures';
import { routePath } from './http';

/** How an order batch POST ended, as a terminal sees it. */
export type PostOutcome =
  | { kind: 'acknowledged' }
  | { kind: 'unavailable'; retryAfter: string | null }
  | { kind: 'failed'; detail: string };

/**
 * What a terminal's outbox does, reduced to what the fault suites check: batches of orders are
 * posted; an order counts as acknowledged once the hub answered `accepted` or `duplicate` for it;
 * anything else stays pending and is resent later with the same ids.
 */
export class OrderLedger {
  /** order id → number of lines, for every order acknowledged at least once */
  readonly acknowledged = new Map<string, number>();
  readonly pending = new Map<string, Order>();
  readonly outcomes: Record<PostOutcome['kind'], number> = {
    acknowledged: 0,
    unavailable: 0,
    failed: 0,
  };
  /** answers `duplicate`: the hub had stored the order but its answer never arrived */
  duplicates = 0;
  /** HTTP statuses seen other than 200 and 503 (a 500 during a fault is a bug) */
  readonly unexpectedStatuses: number[] = [];
  private n = 0;

  constructor(
    private readonly store: StoreFixture,
    private readonly products: { sku: string; price: number }[],
  ) {}

  /** New orders with 1–3 lines each, added to the pending set. */
  newBatch(size: number): Order[] {
    const token = this.store.terminals[0]!;
    const batch = Array.from({ length: size }, (): Order => {
      this.n += 1;
      const lines = Array.from({ length: 1 + (this.n % 3) }, (_, i) => {
        const p = this.products[(this.n + i) % this.products.length]!;
        return { sku: p.sku, quantity: 1 + (i % 2), unitPrice: p.price, discount: 0 };
      });
      return {
        id: newId(),
        storeId: this.store.storeId,
        terminalId: token.id,
        guideId: this.store.guide.id,
        paymentMethod: 'wechat',
        createdAt: new Date().toISOString(),
        lines,
      };
    });
    for (const o of batch) this.pending.set(o.id, o);
    return batch;
  }

  /** Posts `orders` once, with a bound on the wait (a hang counts as failed, never passes). */
  async post(url: string, orders: Order[], timeoutMs = 30_000): Promise<PostOutcome> {
    let response: Response;
    try {
      response = await fetch(`${url}${routePath(endpoints.postOrders)}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${this.store.terminals[0]!.token}`,
        },
        body: JSON.stringify({ orders }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      return this.count({ kind: 'failed', detail: String(error) });
    }
    const text = await response.text().catch(() => '');
    if (response.status === 503) {
      const body = JSON.parse(text) as { error: { code: string } };
      expect(body.error.code).toBe('unavailable');
      return this.count({ kind: 'unavailable', retryAfter: response.headers.get('retry-after') });
    }
    if (response.status !== 200) {
      this.unexpectedStatuses.push(response.status);
      return this.count({
        kind: 'failed',
        detail: `HTTP ${response.status} ${text.slice(0, 200)}`,
      });
    }
    const body = JSON.parse(text) as BatchResponse;
    for (const r of body.results) {
      const order = this.pending.get(r.id) ?? orders.find((o) => o.id === r.id);
      if (!order) continue;
      expect(r.status, `order ${r.id}: ${r.reason ?? ''}`).not.toBe('rejected');
      if (r.status === 'duplicate') this.duplicates += 1;
      this.acknowledged.set(r.id, order.lines.length);
      this.pending.delete(r.id);
    }
    return this.count({ kind: 'acknowledged' });
  }

  /** Resends every pending order (batches of 50) until the hub acknowledged all, bounded. */
  async drain(url: string, attempts = 60): Promise<void> {
    for (let i = 0; i < attempts && this.pending.size > 0; i++) {
      const batch = [...this.pending.values()].slice(0, 50);
      const outcome = await this.post(url, batch);
      if (outcome.kind !== 'acknowledged') await new Promise((r) => setTimeout(r, 500));
    }
    expect(this.pending.size, 'orders never acknowledged').toBe(0);
  }

  /**
   * Every acknowledged order is in the database exactly once with all its lines, and the database
   * holds no order of this store that was never sent.
   */
  async verify(db: Queryable): Promise<{ orders: number; lines: number }> {
    const rows = await db.query<{ id: string; lines: number }>(
      `select o.id::text as id, count(l.line_no)::int as lines
         from orders o left join order_lines l on l.order_id = o.id
        where o.store_id = $1 group by o.id`,
      [this.store.storeId],
    );
    const stored = new Map(rows.map((r) => [r.id, Number(r.lines)]));
    const missing = [...this.acknowledged.keys()].filter((id) => !stored.has(id));
    const wrongLines = [...this.acknowledged].filter(([id, n]) => stored.get(id) !== n);
    expect(missing, 'acknowledged orders missing').toEqual([]);
    expect(wrongLines, 'acknowledged orders with missing lines').toEqual([]);
    expect(rows.length).toBe(this.acknowledged.size);
    return { orders: rows.length, lines: rows.reduce((s, r) => s + Number(r.lines), 0) };
  }

  private count(outcome: PostOutcome): PostOutcome {
    this.outcomes[outcome.kind] += 1;
    return outcome;
  }
}
