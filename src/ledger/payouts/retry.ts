// Retrying a batch: its returned items (their pending transfer voided, so the fund has the
// money back) are made ready again and exported as their next attempt, to the destination
// approved with the batch. A person whose destination changed since is left returned: a new
// destination needs a new batch, approved by a second person (the same origin still pays
// them once). Items still awaiting their provider are not touched.
import { sql } from 'kysely';
import { appendAudit } from '../../privacy';
import type { AppContext, Caller } from '../../shared/context';
import { DomainError } from '../../shared/errors';
import { lockBatch, requireNational } from './batches';
import { exportPayoutBatch, type ExportReport } from './export';

/** What a retry did, with the export it ran. */
export interface RetryReport extends ExportReport {
  retried: number;
  /** Returned items left as they are because the person's destination changed. */
  destinationChanged: number;
}

/** Sends again what was returned in a batch. */
export async function retryPayoutBatch(
  app: AppContext,
  caller: Caller,
  batchId: string,
): Promise<RetryReport> {
  requireNational(caller, 'payout:export');
  const counts = await app.db.transaction(async (trx) => {
    const batch = await lockBatch(trx, app, batchId);
    if (batch.status === 'created' || batch.status === 'approved')
      throw new DomainError('INVALID_STATE', 'Only an exported batch is retried.', 'id');
    const at = app.now().toISOString();
    await trx
      .updateTable('payout_items')
      .set({ reason: 'destination_changed', updated_at: at })
      .where('batch_id', '=', batchId)
      .where('status', '=', 'failed')
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('payout_destinations as d')
              .select('d.id')
              .whereRef('d.id', '=', 'payout_items.destination_id')
              .where('d.superseded_at', 'is', null),
          ),
        ),
      )
      .execute();
    const counts = await trx
      .selectFrom('payout_items')
      .select(['reason', sql<number>`count(*)`.as('n')])
      .where('batch_id', '=', batchId)
      .where('status', '=', 'failed')
      .groupBy('reason')
      .execute();
    await trx
      .updateTable('payout_items')
      .set({ status: 'ready', reason: null, updated_at: at })
      .where('batch_id', '=', batchId)
      .where('status', '=', 'failed')
      .where('reason', '<>', 'destination_changed')
      .execute();
    const destinationChanged = counts.find((c) => c.reason === 'destination_changed')?.n ?? 0;
    const result = {
      retried: counts.reduce((sum, c) => sum + c.n, 0) - destinationChanged,
      destinationChanged,
    };
    await appendAudit(trx, app, caller, {
      operation: 'payout.retry',
      permission: 'payout:export',
      details: { batchId, ...result },
    });
    return result;
  });
  const exported = await exportPayoutBatch(app, caller, batchId);
  return { ...exported, ...counts };
}
