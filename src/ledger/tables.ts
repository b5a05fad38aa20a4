// Ledger tables. Balances and amounts are 64-bit integers: read them with readAmount(), which
// turns the number-or-bigint of src/db into an exact bigint.

/** An account: its identity and four running sums. Changed only by applied transfers. */
export interface LedgerAccountsTable {
  id: string;
  ledger: string;
  code: string;
  /** 0 or 1 on both engines, so that CHECK constraints read the same. */
  debits_must_not_exceed_credits: number;
  credits_must_not_exceed_debits: number;
  history: number;
  region_code: string | null;
  debits_pending: number | bigint;
  debits_posted: number | bigint;
  credits_pending: number | bigint;
  credits_posted: number | bigint;
  created_at: string;
}

/** A transfer: immutable and append-only; a correction is a new reversing transfer. */
export interface LedgerTransfersTable {
  id: string;
  debit_account_id: string;
  credit_account_id: string;
  amount: number | bigint;
  ledger: string;
  code: string;
  /** Bit set: 1 linked, 2 pending, 4 post pending, 8 void pending (TigerBeetle's order). */
  flags: number;
  pending_id: string | null;
  timeout_seconds: number;
  created_at: string;
}

/** A pending transfer's reservation and fate: the one mutable part of a transfer's life. */
export interface LedgerPendingTransfersTable {
  transfer_id: string;
  debit_account_id: string;
  credit_account_id: string;
  amount: number | bigint;
  status: 'pending' | 'posted' | 'voided' | 'expired';
  expires_at: string | null;
  /** The post or void transfer that resolved it; null while pending or when it expired. */
  resolved_by: string | null;
  resolved_at: string | null;
}

/** Balances after each change of an account with the `history` flag. */
export interface LedgerAccountHistoryTable {
  account_id: string;
  /** The transfer that changed it, or the pending transfer whose expiry did. */
  transfer_id: string;
  event: 'transfer' | 'expiry';
  at: string;
  debits_pending: number | bigint;
  debits_posted: number | bigint;
  credits_pending: number | bigint;
  credits_posted: number | bigint;
}

/** A cardholder's wallet PIN: a slow, keyed hash, and the count of wrong tries. */
export interface WalletPinsTable {
  person_id: string;
  pin_hash: string;
  failed_tries: number;
  locked_until: string | null;
  set_at: string;
  set_by: string;
}

/** All ledger tables. */
export interface LedgerTables {
  wallet_pins: WalletPinsTable;
  ledger_accounts: LedgerAccountsTable;
  ledger_transfers: LedgerTransfersTable;
  ledger_pending_transfers: LedgerPendingTransfersTable;
  ledger_account_history: LedgerAccountHistoryTable;
}

declare module '../db/schema' {
  interface Schema extends LedgerTables {}
}
