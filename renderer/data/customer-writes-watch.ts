import { Dexie } from 'dexie';

/**
 * The customer store's write transactions and its other windows (customer-store.ts): a write
 * that fails drops the store's in-memory index (`onDrop`), a write that commits tells the other
 * windows of this terminal (BroadcastChannel), whose notice drops theirs. Reads outside a
 * transaction wait for writes that have not settled (`settled`).
 */
export class WritesWatch {
  /** other windows of this terminal; opened with the index, closed with the database */
  private channel: BroadcastChannel | null = null;
  /** write transactions not settled yet, with a promise that settles with each */
  private readonly pending = new Map<IDBTransaction, Promise<void>>();

  constructor(
    private readonly name: string,
    private readonly onDrop: () => void,
  ) {}

  listen(): void {
    if (this.channel || typeof BroadcastChannel === 'undefined') return;
    this.channel = new BroadcastChannel(`${this.name}:customers`);
    this.channel.onmessage = () => this.onDrop();
  }

  close(): void {
    this.channel?.close();
    this.channel = null;
  }

  /** Writes not settled yet (resolves at once when there are none). */
  settled(): Promise<unknown> | null {
    return this.pending.size > 0 ? Promise.all(this.pending.values()) : null;
  }

  /** Ties the current transaction: the index dropped if it fails, other windows told on commit. */
  watch(): void {
    const idbtrans = Dexie.currentTransaction?.idbtrans;
    if (!idbtrans || this.pending.has(idbtrans)) return;
    const settled = new Promise<void>((resolve) => {
      idbtrans.addEventListener('error', () => this.onDrop());
      idbtrans.addEventListener('abort', () => {
        this.pending.delete(idbtrans);
        this.onDrop();
        resolve();
      });
      idbtrans.addEventListener('complete', () => {
        this.pending.delete(idbtrans);
        this.channel?.postMessage('changed');
        resolve();
      });
    });
    this.pending.set(idbtrans, settled);
  }
}
