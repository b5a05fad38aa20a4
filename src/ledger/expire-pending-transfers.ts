// Releases reservations whose timeout has passed, a bounded batch per transaction. Expiry is
// also lazy (every batch first releases what is due on its accounts), so this job only keeps
// balances honest on accounts nobody touches.
import { appendAudit } from '../privacy';
import type { AppContext, Caller } from '../shared/context';
import { expireDue } from './expire-due';
import { LedgerWork } from './ledger-work';
import { expireBatchMax } from './limits';
import { loadPendings, lockAccounts, verifyWritten, writeWork } from './store';

/** Expires up to expireBatchMax reservations due by `now`; returns how many it released. */
export async function expirePendingTransfers(
  app: AppContext,
  caller: Caller,
  now: Date = app.now(),
): Promise<number> {
  const at = now.toISOString();
  return app.db.transaction(async (trx) => {
    const due = await trx
      .selectFrom('ledger_pending_transfers')
      .select(['transfer_id', 'debit_account_id', 'credit_account_id'])
      .where('status', '=', 'pending')
      .where('expires_at', '<=', at)
      .orderBy('expires_at')
      .limit(expireBatchMax)
      .execute();
    if (due.length === 0) return 0;
    const accounts = await lockAccounts(
      trx,
      app.db,
      due.flatMap((d) => [d.debit_account_id, d.credit_account_id]),
    );
    // Read again under the locks: a batch may have posted or voided some meanwhile.
    const pendings = await loadPendings(
      trx,
      due.map((d) => d.transfer_id),
      null,
    );
    const work = new LedgerWork(accounts, new Set(accounts.keys()), pendings, new Map(), now);
    const expired = expireDue(work);
    await writeWork(trx, app.db, work);
    await verifyWritten(trx, app.db, work);
    if (expired > 0) {
      await appendAudit(trx, app, caller, {
        operation: 'ledger.pending.expire',
        details: { expired },
      });
    }
    return expired;
  });
}
