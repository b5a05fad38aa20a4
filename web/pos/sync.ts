// Sync: first the online redemptions left unanswered (each retried with its own
// Idempotency-Key, so none is delivered twice), then the outbox uploaded in counter order in
// batches the server takes (500). What the server accepted — a delivery with its receipt, or
// a conflict with its reason — leaves the outbox and is kept as the result; a refusal of the
// whole upload (CHAIN_BROKEN naming the first bad entry) clears nothing and is said plainly.
import { ApiError } from '../console/api';
import type { SignedEntry } from './chain';
import { deviceApi } from './device-api';
import { retryPending } from './serve';
import {
  loadOutbox,
  loadPending,
  saveLastSync,
  settleSynced,
  type LastSync,
  type StoredDevice,
  type SyncedEntry,
} from './store';

/** Entries one upload carries (the server's limit). */
export const syncBatchMax = 500;

interface SyncAnswer {
  accepted: number;
  redeemed: Array<{ counter: number; redemptionId: string; receiptCode: string }>;
  conflicts: Array<{ counter: number; conflictId: string; reason: string }>;
  head: { counter: number; hash: string };
}

/** What one sync did. */
export interface SyncOutcome {
  last: LastSync;
  settled: SyncedEntry[];
  retried: number;
  stillPending: number;
}

/** Settles what one answer covers: every entry up to the server's head. */
function settle(batch: SignedEntry[], answer: SyncAnswer, at: string): SyncedEntry[] {
  const receipts = new Map(answer.redeemed.map((r) => [r.counter, r.receiptCode]));
  const conflicts = new Map(answer.conflicts.map((c) => [c.counter, c.reason]));
  return batch
    .filter(({ entry }) => entry.counter <= answer.head.counter)
    .map(({ entry }): SyncedEntry => {
      const receiptCode = receipts.get(entry.counter);
      const reason = conflicts.get(entry.counter);
      return {
        counter: entry.counter,
        entitlementId: entry.entitlementId,
        quantity: entry.quantity,
        redeemedAt: entry.redeemedAt,
        syncedAt: at,
        ...(reason !== undefined
          ? { outcome: 'conflict' as const, reason }
          : { outcome: 'redeemed' as const, ...(receiptCode ? { receiptCode } : {}) }),
      };
    });
}

/** Syncs now. Throws ApiError NETWORK when the server cannot be reached at all. */
export async function syncNow(device: StoredDevice): Promise<SyncOutcome> {
  const at = new Date().toISOString();
  let retried = 0;
  let stillPending = 0;
  for (const pending of await loadPending()) {
    try {
      await retryPending(device, pending);
      retried++;
    } catch (e) {
      if (e instanceof ApiError && e.code === 'NETWORK') throw e;
      if (e instanceof ApiError && e.code === 'IDEMPOTENCY_IN_PROGRESS') stillPending++;
    }
  }
  const outbox = await loadOutbox();
  const settled: SyncedEntry[] = [];
  const batches = Math.ceil(outbox.length / syncBatchMax);
  for (let b = 0; b < batches; b++) {
    const batch = outbox.slice(b * syncBatchMax, (b + 1) * syncBatchMax);
    let answer: SyncAnswer;
    try {
      answer = await deviceApi<SyncAnswer>(device.token, 'POST', '/api/v1/device/sync', {
        body: { entries: batch },
      });
    } catch (e) {
      if (e instanceof ApiError && e.code !== 'NETWORK') {
        const details = (e.details ?? {}) as { reason?: unknown; counter?: unknown };
        const last: LastSync = {
          at,
          redeemed: settled.filter((s) => s.outcome === 'redeemed').length,
          conflicts: settled.filter((s) => s.outcome === 'conflict').length,
          refused: {
            code: e.code,
            message: e.message,
            ...(typeof details.reason === 'string' ? { reason: details.reason } : {}),
            ...(typeof details.counter === 'number' ? { counter: details.counter } : {}),
          },
        };
        await saveLastSync(last);
        return { last, settled, retried, stillPending };
      }
      throw e;
    }
    const done = settle(batch, answer, at);
    settled.push(...done);
    await settleSynced(done, {
      at,
      redeemed: settled.filter((s) => s.outcome === 'redeemed').length,
      conflicts: settled.filter((s) => s.outcome === 'conflict').length,
    });
  }
  const last: LastSync = {
    at,
    redeemed: settled.filter((s) => s.outcome === 'redeemed').length,
    conflicts: settled.filter((s) => s.outcome === 'conflict').length,
  };
  await saveLastSync(last);
  return { last, settled, retried, stillPending };
}
