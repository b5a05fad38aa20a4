// One transfer against the batch's working state: TigerBeetle's checks, in its order, each
// failure a result code, and on success the balances moved. Pure: no database, no clock
// beyond the batch's own time.
import { amountMax } from './limits';
import type { LedgerWork } from './ledger-work';
import type {
  PendingTransfer,
  Transfer,
  TransferFlags,
  TransferInput,
  TransferResult,
} from './types';

/** The flags with every absent one false. */
export function transferFlags(input: TransferInput): TransferFlags {
  return {
    linked: input.flags?.linked ?? false,
    pending: input.flags?.pending ?? false,
    postPendingTransfer: input.flags?.postPendingTransfer ?? false,
    voidPendingTransfer: input.flags?.voidPendingTransfer ?? false,
  };
}

/** Applies one transfer; returns its result, having changed the state only on 'created'. */
export function applyTransfer(work: LedgerWork, input: TransferInput): TransferResult {
  const flags = transferFlags(input);
  const kinds = [flags.pending, flags.postPendingTransfer, flags.voidPendingTransfer];
  if (kinds.filter(Boolean).length > 1) return 'flags_are_mutually_exclusive';
  if (flags.postPendingTransfer || flags.voidPendingTransfer) {
    return applyPostOrVoid(work, input, flags);
  }
  const checked = checkSingle(work, input, flags);
  if (typeof checked === 'string') return checked;
  const existing = work.transfers.get(input.id);
  if (existing) return sameTransfer(existing, checked) ? 'exists' : 'exists_with_different_fields';
  const limit = checkLimits(work, checked);
  if (limit) return limit;
  const { id, amount } = checked;
  if (flags.pending) {
    work.move(checked.debitAccountId, { debitsPending: amount }, id, 'transfer');
    work.move(checked.creditAccountId, { creditsPending: amount }, id, 'transfer');
    work.reserve(reservation(work, checked));
  } else {
    work.move(checked.debitAccountId, { debitsPosted: amount }, id, 'transfer');
    work.move(checked.creditAccountId, { creditsPosted: amount }, id, 'transfer');
  }
  work.create(checked);
  return 'created';
}

function checkSingle(
  work: LedgerWork,
  input: TransferInput,
  flags: TransferFlags,
): Transfer | TransferResult {
  const { debitAccountId, creditAccountId, amount, ledger, code } = input;
  const timeoutSeconds = input.timeoutSeconds ?? 0;
  if (!debitAccountId) return 'debit_account_id_must_not_be_zero';
  if (!creditAccountId) return 'credit_account_id_must_not_be_zero';
  if (debitAccountId === creditAccountId) return 'accounts_must_be_different';
  if (input.pendingId !== undefined) return 'pending_id_must_be_zero';
  if (!flags.pending && timeoutSeconds > 0) return 'timeout_reserved_for_pending_transfer';
  if (!ledger) return 'ledger_must_not_be_zero';
  if (!code) return 'code_must_not_be_zero';
  if (amount === undefined || amount === 0n) return 'amount_must_not_be_zero';
  const debit = work.visible(debitAccountId);
  if (!debit) return 'debit_account_not_found';
  const credit = work.visible(creditAccountId);
  if (!credit) return 'credit_account_not_found';
  if (debit.ledger !== credit.ledger) return 'accounts_must_have_the_same_ledger';
  if (ledger !== debit.ledger) return 'transfer_must_have_the_same_ledger_as_accounts';
  return {
    id: input.id,
    debitAccountId,
    creditAccountId,
    amount,
    ledger,
    code,
    flags,
    pendingId: null,
    timeoutSeconds,
    createdAt: work.at,
  };
}

// Limits count pending amounts as if they were posted: a reservation may never be what lets
// an account pass its limit when it is posted.
function checkLimits(work: LedgerWork, t: Transfer): TransferResult | null {
  const debit = work.accounts.get(t.debitAccountId)!;
  const credit = work.accounts.get(t.creditAccountId)!;
  const debits = debit.debitsPending + debit.debitsPosted + t.amount;
  const credits = credit.creditsPending + credit.creditsPosted + t.amount;
  if (debits > amountMax) return 'overflows_debits';
  if (credits > amountMax) return 'overflows_credits';
  if (debit.flags.debitsMustNotExceedCredits && debits > debit.creditsPosted) {
    return 'exceeds_credits';
  }
  if (credit.flags.creditsMustNotExceedDebits && credits > credit.debitsPosted) {
    return 'exceeds_debits';
  }
  return null;
}

function reservation(work: LedgerWork, t: Transfer): PendingTransfer {
  const expiresAt =
    t.timeoutSeconds > 0 ? new Date(work.now.getTime() + t.timeoutSeconds * 1000) : null;
  return {
    transferId: t.id,
    debitAccountId: t.debitAccountId,
    creditAccountId: t.creditAccountId,
    amount: t.amount,
    ledger: t.ledger,
    code: t.code,
    status: 'pending',
    expiresAt: expiresAt?.toISOString() ?? null,
  };
}

function applyPostOrVoid(
  work: LedgerWork,
  input: TransferInput,
  flags: TransferFlags,
): TransferResult {
  const resolved = checkPostOrVoid(work, input, flags);
  if (typeof resolved === 'string') return resolved;
  const { transfer, pending } = resolved;
  const existing = work.transfers.get(input.id);
  if (existing) return sameTransfer(existing, transfer) ? 'exists' : 'exists_with_different_fields';
  if (pending.status === 'posted') return 'pending_transfer_already_posted';
  if (pending.status === 'voided') return 'pending_transfer_already_voided';
  if (pending.status === 'expired') return 'pending_transfer_expired';
  const posted = flags.postPendingTransfer ? transfer.amount : 0n;
  const { id } = transfer;
  work.move(
    pending.debitAccountId,
    { debitsPending: -pending.amount, debitsPosted: posted },
    id,
    'transfer',
  );
  work.move(
    pending.creditAccountId,
    { creditsPending: -pending.amount, creditsPosted: posted },
    id,
    'transfer',
  );
  work.resolve(pending, flags.postPendingTransfer ? 'posted' : 'voided', id);
  work.create(transfer);
  return 'created';
}

function checkPostOrVoid(
  work: LedgerWork,
  input: TransferInput,
  flags: TransferFlags,
): { transfer: Transfer; pending: PendingTransfer } | TransferResult {
  const { pendingId } = input;
  if (!pendingId) return 'pending_id_must_not_be_zero';
  if (pendingId === input.id) return 'pending_id_must_be_different';
  if ((input.timeoutSeconds ?? 0) > 0) return 'timeout_reserved_for_pending_transfer';
  const target = work.transfers.get(pendingId);
  if (!target) return 'pending_transfer_not_found';
  if (!target.flags.pending) return 'pending_transfer_not_pending';
  const pending = work.pendings.get(pendingId);
  // A reservation on accounts the caller cannot reach is reported as not found.
  if (!pending || !work.visible(pending.debitAccountId) || !work.visible(pending.creditAccountId)) {
    return 'pending_transfer_not_found';
  }
  if (input.debitAccountId !== undefined && input.debitAccountId !== pending.debitAccountId) {
    return 'pending_transfer_has_different_debit_account_id';
  }
  if (input.creditAccountId !== undefined && input.creditAccountId !== pending.creditAccountId) {
    return 'pending_transfer_has_different_credit_account_id';
  }
  if (input.ledger !== undefined && input.ledger !== pending.ledger) {
    return 'pending_transfer_has_different_ledger';
  }
  if (input.code !== undefined && input.code !== pending.code) {
    return 'pending_transfer_has_different_code';
  }
  const amount = input.amount ?? pending.amount;
  if (amount === 0n) return 'amount_must_not_be_zero';
  if (flags.postPendingTransfer && amount > pending.amount)
    return 'exceeds_pending_transfer_amount';
  if (flags.voidPendingTransfer && amount !== pending.amount) {
    return 'pending_transfer_has_different_amount';
  }
  const transfer: Transfer = {
    id: input.id,
    debitAccountId: pending.debitAccountId,
    creditAccountId: pending.creditAccountId,
    amount,
    ledger: pending.ledger,
    code: pending.code,
    flags,
    pendingId,
    timeoutSeconds: 0,
    createdAt: work.at,
  };
  return { transfer, pending };
}

/** True when a retried transfer asks for exactly what the stored one did. */
export function sameTransfer(stored: Transfer, asked: Transfer): boolean {
  return (
    stored.debitAccountId === asked.debitAccountId &&
    stored.creditAccountId === asked.creditAccountId &&
    stored.amount === asked.amount &&
    stored.ledger === asked.ledger &&
    stored.code === asked.code &&
    stored.pendingId === asked.pendingId &&
    stored.timeoutSeconds === asked.timeoutSeconds &&
    stored.flags.linked === asked.flags.linked &&
    stored.flags.pending === asked.flags.pending &&
    stored.flags.postPendingTransfer === asked.flags.postPendingTransfer &&
    stored.flags.voidPendingTransfer === asked.flags.voidPendingTransfer
  );
}
