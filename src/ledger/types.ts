// The ledger's nouns, on TigerBeetle's model: accounts that only ever accumulate debits and
// credits (posted and pending), and immutable transfers between two accounts of one ledger.
// Every amount is integer minor units as a bigint; there is no other representation inside.

/** What an account is for. `operator_equity` is where money enters and leaves the system. */
export const accountCodes = [
  'programme_fund',
  'wallet',
  'merchant',
  'cash_in_transit',
  'provider_clearing',
  'operator_equity',
] as const;
/** What an account is for. */
export type AccountCode = (typeof accountCodes)[number];

/** An account's flags, as TigerBeetle names them. */
export interface AccountFlags {
  /** Debits (posted + pending) may never pass posted credits: a wallet cannot go negative. */
  debitsMustNotExceedCredits: boolean;
  /** Credits (posted + pending) may never pass posted debits. */
  creditsMustNotExceedDebits: boolean;
  /** Keep the account's balances after every change (ledger_account_history). */
  history: boolean;
}

/** The four running sums of an account. */
export interface Balances {
  debitsPending: bigint;
  debitsPosted: bigint;
  creditsPending: bigint;
  creditsPosted: bigint;
}

/** An account as the ledger holds it. */
export interface Account extends Balances {
  id: string;
  /** The currency ledger, e.g. 'VES': amounts never move between ledgers. */
  ledger: string;
  code: AccountCode;
  flags: AccountFlags;
  /** The region a point's or person's account belongs to; null for a national account. */
  regionCode: string | null;
  createdAt: string;
}

/** A transfer's flags, as TigerBeetle names them. */
export interface TransferFlags {
  /** This transfer and the next succeed or fail together. */
  linked: boolean;
  /** Reserves the amount (debits_pending, credits_pending) until posted, voided or expired. */
  pending: boolean;
  /** Posts the pending transfer named by pendingId (all of it, or less). */
  postPendingTransfer: boolean;
  /** Releases the pending transfer named by pendingId. */
  voidPendingTransfer: boolean;
}

/** A transfer as a client asks for it. Post and void may leave out what the pending one says. */
export interface TransferInput {
  id: string;
  debitAccountId?: string | undefined;
  creditAccountId?: string | undefined;
  amount?: bigint | undefined;
  ledger?: string | undefined;
  code?: string | undefined;
  pendingId?: string | undefined;
  /** Seconds a pending transfer holds its reservation; 0 or absent: until posted or voided. */
  timeoutSeconds?: number | undefined;
  flags?: { [K in keyof TransferFlags]?: boolean | undefined } | undefined;
}

/** A transfer as stored: every field resolved, never changed again. */
export interface Transfer {
  id: string;
  debitAccountId: string;
  creditAccountId: string;
  amount: bigint;
  ledger: string;
  code: string;
  flags: TransferFlags;
  pendingId: string | null;
  timeoutSeconds: number;
  createdAt: string;
}

/** Where a pending transfer stands. */
export type PendingStatus = 'pending' | 'posted' | 'voided' | 'expired';

/** A pending transfer's reservation and its fate. */
export interface PendingTransfer {
  transferId: string;
  debitAccountId: string;
  creditAccountId: string;
  amount: bigint;
  ledger: string;
  code: string;
  status: PendingStatus;
  /** When the reservation lapses; null when it never does. */
  expiresAt: string | null;
}

/** The outcome of one transfer of a batch, in TigerBeetle's words. */
export const transferResults = [
  'created',
  'exists',
  'exists_with_different_fields',
  'id_already_failed',
  'linked_event_failed',
  'linked_event_chain_open',
  'flags_are_mutually_exclusive',
  'debit_account_id_must_not_be_zero',
  'credit_account_id_must_not_be_zero',
  'accounts_must_be_different',
  'pending_id_must_be_zero',
  'pending_id_must_not_be_zero',
  'pending_id_must_be_different',
  'timeout_reserved_for_pending_transfer',
  'ledger_must_not_be_zero',
  'code_must_not_be_zero',
  'amount_must_not_be_zero',
  'debit_account_not_found',
  'credit_account_not_found',
  'accounts_must_have_the_same_ledger',
  'transfer_must_have_the_same_ledger_as_accounts',
  'pending_transfer_not_found',
  'pending_transfer_not_pending',
  'pending_transfer_has_different_debit_account_id',
  'pending_transfer_has_different_credit_account_id',
  'pending_transfer_has_different_ledger',
  'pending_transfer_has_different_code',
  'exceeds_pending_transfer_amount',
  'pending_transfer_has_different_amount',
  'pending_transfer_already_posted',
  'pending_transfer_already_voided',
  'pending_transfer_expired',
  'overflows_debits',
  'overflows_credits',
  'exceeds_credits',
  'exceeds_debits',
] as const;
/** The outcome of one transfer of a batch. */
export type TransferResult = (typeof transferResults)[number];

/**
 * Refusals that depend on the moment (funds, an account or reservation not there yet): a try
 * refused for one of these through the API is stored by id, as TigerBeetle stores it, and
 * every later try of that id gets `id_already_failed` — so that a stalled first try arriving
 * after its refused retry is never applied behind the client's back.
 */
export const transientTransferResults: ReadonlySet<TransferResult> = new Set<TransferResult>([
  'debit_account_not_found',
  'credit_account_not_found',
  'pending_transfer_not_found',
  'exceeds_credits',
  'exceeds_debits',
  'overflows_debits',
  'overflows_credits',
]);

/** The outcome of one account of a batch. */
export type AccountResult =
  | 'created'
  | 'exists'
  | 'exists_with_different_fields'
  | 'flags_are_mutually_exclusive'
  | 'region_not_in_scope';

/** One item's outcome: its index in the batch, its id, and what happened. */
export interface BatchItemResult<R extends string> {
  index: number;
  id: string;
  result: R;
}
