/**
 * Order uploads stored together under load (issue #17, 200 one-order uploads/s during a burst).
 * A terminal's outbox sends its orders one upload at a time, and a chain's terminals send many small
 * uploads at once. Each stored alone costs a transaction of ≈ 8 statements whatever its size
 * (begin, the claim, the conversion read, the stock and summary reads, the tail under the
 * change-feed lock, commit…), and a node runs FEED_TAIL_SLOTS of them at a time. So the uploads that
 * come in while a node's slots are busy are stored together, in one `storeCandidates` transaction
 * of several stores' orders (up to UPLOAD_BATCH_ORDERS orders; a bigger upload, an outbox draining
 * after an outage, goes alone). A lone upload on a quiet node is stored at once, alone, as before.
 */
import type { BindingRules } from '../../shared/protocol';
import { createBatcher, fulfilled, perDatabase } from '../db/batcher';
import { FEED_TAIL_SLOTS, isConnectionError, type Db } from '../db/database';
import { LOCK_NOT_AVAILABLE, retryOnLockConflict, type OnRetry } from '../db/lock-retry';
import { storeCandidates, type Candidate, type StoredBatch } from './store-batch';

/** One upload's orders that passed every rule, and what storing them needs. */
export type Upload = {
  candidates: Candidate[];
  /** the chain's binding rules as this upload read them (a batch applies its first upload's) */
  rules: BindingRules;
  onRetry?: OnRetry;
};

/** Orders one shared transaction carries at most. */
export const UPLOAD_BATCH_ORDERS = 100;

const batcherOf = perDatabase((db: Db) =>
  createBatcher((uploads: readonly Upload[]) => storeUploads(db, uploads), {
    maxBatch: UPLOAD_BATCH_ORDERS,
    size: (u) => u.candidates.length,
    // one batch per slot: the slots bound the node's open order transactions, as before
    inFlight: FEED_TAIL_SLOTS,
    failsWaiting: isConnectionError,
  }),
);

/** Stores one upload's candidates, with the uploads that come in beside it (see above). */
export function storeUpload(db: Db, upload: Upload): Promise<StoredBatch> {
  return batcherOf(db)(upload);
}

/** Candidates in one transaction, run again on a deadlock, serialization failure or lock timeout. */
const storeInOneTransaction = (db: Db, upload: Upload) =>
  retryOnLockConflict(
    () => storeCandidates(db, upload.rules, upload.candidates),
    upload.onRetry,
    // The tail's row-lock wait under the feed lock is bounded (migration 028): a timeout is a
    // conflict like a deadlock, and the batch runs again.
    [LOCK_NOT_AVAILABLE],
  );

async function storeUploads(
  db: Db,
  uploads: readonly Upload[],
): Promise<PromiseSettledResult<StoredBatch>[]> {
  if (uploads.length === 1) return Promise.allSettled([storeInOneTransaction(db, uploads[0]!)]);
  // Each order id once: a copy in a later upload of the batch (an outbox resending while its
  // first try is still under way) is a duplicate for that upload, as it would be a moment later.
  const seen = new Set<string>();
  const shares = uploads.map((u) =>
    u.candidates.filter((c) => !seen.has(c.order.id) && seen.add(c.order.id)),
  );
  try {
    const stored = await storeInOneTransaction(db, {
      candidates: shares.flat(),
      rules: uploads[0]!.rules,
      onRetry: (error, attempt) => uploads.forEach((u) => u.onRetry?.(error, attempt)),
    });
    return fulfilled(shares.map((share) => shareOf(stored, share)));
  } catch (error) {
    if (isConnectionError(error)) throw error;
    // Something in one upload failed the whole batch (nothing of it was written): each upload
    // again on its own, so only the one at fault fails.
    return Promise.allSettled(uploads.map((u) => storeInOneTransaction(db, u)));
  }
}

/** One upload's part of a shared transaction's outcome. */
function shareOf(stored: StoredBatch, share: Candidate[]): StoredBatch {
  const mine = share.filter((c) => stored.accepted.has(c.order.id));
  const ids = new Set(mine.map((c) => c.order.id));
  return {
    accepted: ids,
    alertUpdates: stored.alertUpdates.filter((u) => u.orderId !== null && ids.has(u.orderId)),
    // its own customers' summaries moved on the feed only if it sold to a customer
    customersCursor: mine.some((c) => c.customerId !== null) ? stored.customersCursor : null,
    // every order has lines, so every stored order moved its store's stock
    catalogCursor: mine.length > 0 ? stored.catalogCursor : null,
    shortfalls: new Map([...stored.shortfalls].filter(([id]) => ids.has(id))),
  };
}
