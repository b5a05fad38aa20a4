// Lazy expiry: a reservation whose time has run out is released before anything else reads
// the balances it holds, so that an expired hold never refuses a transfer.
import type { LedgerWork } from './ledger-work';

/** Releases every open reservation of the working state due by the batch's time; the count. */
export function expireDue(work: LedgerWork): number {
  let expired = 0;
  for (const pending of work.pendings.values()) {
    const isDue =
      pending.status === 'pending' && pending.expiresAt !== null && pending.expiresAt <= work.at;
    // Only reservations whose two accounts this batch holds locked may change here.
    if (
      !isDue ||
      !work.accounts.has(pending.debitAccountId) ||
      !work.accounts.has(pending.creditAccountId)
    ) {
      continue;
    }
    const id = pending.transferId;
    work.move(pending.debitAccountId, { debitsPending: -pending.amount }, id, 'expiry');
    work.move(pending.creditAccountId, { creditsPending: -pending.amount }, id, 'expiry');
    work.resolve(pending, 'expired', null);
    expired += 1;
  }
  work.settle();
  return expired;
}
