// Applies a batch of transfers in one transaction: the accounts involved are locked in id
// order and read again inside it, each transfer gets its own result, and the balances written
// are read back and compared. A batch never throws for a transfer that is refused.
import type { Transaction } from 'kysely';
import { z } from 'zod';
import type { Schema } from '../db';
import { isUniqueViolation } from '../db';
import { appendAudit } from '../privacy';
import { requirePermission } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { id } from '../shared/schemas';
import { amountText } from './amount';
import { applyBatch } from './apply-batch';
import { expireDue } from './expire-due';
import { LedgerWork } from './ledger-work';
import { ledgerCode, ledgerName } from './create-accounts';
import { pendingTimeoutSecondsMax, transferBatchMax } from './limits';
import { canReachAccount } from './reach';
import { loadPendings, loadTransfers, lockAccounts, verifyWritten, writeWork } from './store';
import { transientTransferResults } from './types';
import type { BatchItemResult, TransferInput, TransferResult } from './types';

/** One transfer in a request body; absent fields are for post and void to take from the pending. */
export const transferInput = z
  .object({
    id,
    debitAccountId: id.optional(),
    creditAccountId: id.optional(),
    amount: amountText.optional(),
    ledger: ledgerName.optional(),
    code: ledgerCode.optional(),
    pendingId: id.optional(),
    timeoutSeconds: z.number().int().min(0).max(pendingTimeoutSecondsMax).optional(),
    flags: z
      .object({
        linked: z.boolean().optional(),
        pending: z.boolean().optional(),
        postPendingTransfer: z.boolean().optional(),
        voidPendingTransfer: z.boolean().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** A batch of transfers in a request body. */
export const createTransfersInput = z
  .object({ transfers: z.array(transferInput).min(1).max(transferBatchMax) })
  .strict();
/** A batch of transfers, validated. */
export type CreateTransfersInput = { transfers: TransferInput[] };

/** What a batch did, transfer by transfer. */
export interface CreateTransfersResult {
  results: BatchItemResult<TransferResult>[];
  created: number;
  expired: number;
}

// A concurrent batch may insert the same new transfer id on other accounts between our read
// and our write; the loser runs again and then reads the winner's transfer.
const uniqueRetriesMax = 3;

/** How a batch is applied. */
export interface CreateTransfersOptions {
  /**
   * Store transient refusals by id (TigerBeetle's rule), so that any later try of a refused id
   * gets `id_already_failed`. The API's clients retry with unknown outcomes and get it; the
   * domains' own callers (cycle payments retry an exhausted fund's payment with its id) do not.
   */
  storeRefusals?: boolean;
}

/** Applies a batch of transfers; one result per transfer. */
export async function createTransfers(
  app: AppContext,
  caller: Caller,
  input: CreateTransfersInput,
  options: CreateTransfersOptions = {},
): Promise<CreateTransfersResult> {
  requirePermission(caller.actor, 'ledger:write');
  const { transfers } = input;
  if (transfers.length === 0 || transfers.length > transferBatchMax) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `A batch holds 1 to ${transferBatchMax} transfers.`,
      'transfers',
    );
  }
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await applyInTransaction(app, caller, transfers, options);
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= uniqueRetriesMax) throw error;
    }
  }
}

async function applyInTransaction(
  app: AppContext,
  caller: Caller,
  transfers: readonly TransferInput[],
  options: CreateTransfersOptions,
): Promise<CreateTransfersResult> {
  return app.db.transaction((trx) => applyTransfersIn(trx, app, caller, transfers, options));
}

/**
 * Applies a batch of transfers inside the caller's transaction, so that a domain can move money
 * and record why in one commit (payouts settle an item and post its transfer together). The
 * caller checks its own permission and the batch size; a unique-key race is not retried here,
 * since the outer transaction is lost with it: the caller's own lock must prevent it.
 */
export async function applyTransfersIn(
  trx: Transaction<Schema>,
  app: AppContext,
  caller: Caller,
  transfers: readonly TransferInput[],
  options: CreateTransfersOptions = {},
): Promise<CreateTransfersResult> {
  const now = app.now();
  const at = now.toISOString();
  const pendingIds = transfers.flatMap((t) => (t.pendingId ? [t.pendingId] : []));
  // Accounts named by the batch and by the reservations it posts or voids, then those of
  // reservations due on them, so that lazy expiry holds the locks it needs.
  const referenced = await loadPendings(trx, pendingIds, null);
  const named = new Set<string>();
  for (const t of transfers)
    for (const a of [t.debitAccountId, t.creditAccountId]) if (a) named.add(a);
  for (const p of referenced.values()) named.add(p.debitAccountId).add(p.creditAccountId);
  const due = await loadPendings(trx, [], { accountIds: [...named], at });
  for (const p of due.values()) named.add(p.debitAccountId).add(p.creditAccountId);
  const accounts = await lockAccounts(trx, app.db, [...named]);
  // Read again under the locks: what another batch committed meanwhile is seen now.
  const stored = await loadTransfers(trx, [...transfers.map((t) => t.id), ...pendingIds]);
  const pendings = await loadPendings(trx, [...pendingIds, ...due.keys()], {
    accountIds: [...accounts.keys()],
    at,
  });
  const reachable = new Set(
    [...accounts.values()]
      .filter((a) => canReachAccount(caller.actor, 'ledger:write', a.regionCode))
      .map((a) => a.id),
  );
  const refused = await loadRefusals(
    trx,
    transfers.map((t) => t.id),
  );
  const work = new LedgerWork(accounts, reachable, pendings, stored, now, refused);
  const expired = expireDue(work);
  const results = applyBatch(work, transfers);
  await writeWork(trx, app.db, work);
  if (options.storeRefusals) {
    const seen = new Set<string>();
    for (const [i, result] of results.entries()) {
      const id = transfers[i]!.id;
      if (!transientTransferResults.has(result) || refused.has(id) || seen.has(id)) continue;
      seen.add(id);
      await trx
        .insertInto('ledger_transfer_refusals')
        .values({ id, result, at })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    }
  }
  await verifyWritten(trx, app.db, work);
  const counts = countResults(results);
  await appendAudit(trx, app, caller, {
    operation: 'ledger.transfer.create',
    permission: 'ledger:write',
    details: {
      transfers: transfers.length,
      created: work.created.length,
      expired,
      results: counts,
    },
  });
  return {
    results: results.map((result, index) => ({ index, id: transfers[index]!.id, result })),
    created: work.created.length,
    expired,
  };
}

async function loadRefusals(
  trx: Transaction<Schema>,
  ids: readonly string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await trx
      .selectFrom('ledger_transfer_refusals')
      .select('id')
      .where('id', 'in', unique.slice(i, i + 500))
      .execute();
    for (const r of rows) found.add(r.id);
  }
  return found;
}

function countResults(results: readonly TransferResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}
