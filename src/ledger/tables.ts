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

/** A bank or mobile-money provider people are paid through, and how batches reach it. */
export interface PayoutProvidersTable {
  id: string;
  name: string;
  kind: 'bank' | 'mobile_money';
  /** The provider's BIC (banks) or agent id (mobile money), written as the creditor agent. */
  agent_id: string;
  adapter: 'folder' | 'http' | 'g2p';
  /** A subfolder of the payout folder (folder), or an http(s) URL (http, g2p). */
  endpoint: string;
  /** Name of the environment variable holding the bearer token sent to the endpoint. */
  auth_token_env: string | null;
  currency: string;
  /** The provider_clearing account money waits in until the provider reports it paid. */
  clearing_account_id: string;
  /** The programme's own account at this provider, debited by it (pain.001 Dbtr). */
  debtor_name: string;
  debtor_account: string;
  /** Our id as this provider knows it (G2P Connect sender_id). */
  sender_id: string;
  /** Where this provider calls back (G2P Connect sender_uri), when not agreed beforehand. */
  callback_uri: string | null;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

/** Where a person is paid: one current row per person; a change supersedes, never deletes. */
export interface PayoutDestinationsTable {
  id: string;
  person_id: string;
  provider_id: string;
  kind: 'bank' | 'mobile_money';
  scheme: 'iban' | 'account' | 'msisdn';
  account: string;
  holder_name: string;
  created_at: string;
  created_by: string;
  superseded_at: string | null;
  superseded_by: string | null;
}

/** A payout batch: created → approved (by someone else) → exported → settled. */
export interface PayoutBatchesTable {
  id: string;
  /** What is being paid (a cycle, a pension month): each person is paid once per origin. */
  origin: string;
  label: string;
  fund_account_id: string;
  currency: string;
  execution_date: string;
  status: 'created' | 'approved' | 'exported' | 'settled';
  item_count: number;
  total_minor: number | bigint;
  /** JSON: the regions of the batch's people, for regional readers. */
  regions: string;
  created_at: string;
  created_by: string;
  approved_at: string | null;
  approved_by: string | null;
  exported_at: string | null;
  settled_at: string | null;
}

/** One person in a batch: the destination and amount approved, and the current attempt. */
export interface PayoutItemsTable {
  id: string;
  batch_id: string;
  person_id: string;
  region_code: string;
  provider_id: string | null;
  destination_id: string | null;
  amount_minor: number | bigint;
  /** 1 for the first sending; a retry after a reversed failure sends attempt 2, … */
  attempt: number;
  /** Derived from (origin, person, attempt): a rerun finds the same transfer. */
  transfer_id: string;
  end_to_end_id: string;
  status: 'ready' | 'exported' | 'settled' | 'failed' | 'skipped';
  reason: string | null;
  export_id: string | null;
  updated_at: string;
}

/** Who holds the payment of one person for one origin: at most one open or settled item. */
export interface PayoutClaimsTable {
  origin: string;
  person_id: string;
  item_id: string;
  attempt: number;
  state: 'open' | 'settled' | 'failed';
}

/** One sending of a batch's items to one provider: a pain.001 file or G2P messages. */
export interface PayoutExportsTable {
  id: string;
  batch_id: string;
  provider_id: string;
  adapter: 'folder' | 'http' | 'g2p';
  status: 'reserved' | 'sent';
  item_count: number;
  total_minor: number | bigint;
  /** The file written (folder), or what the provider answered (http, g2p). */
  delivery: string | null;
  created_at: string;
  created_by: string;
  sent_at: string | null;
}

/** A status report or callback applied: once, by its content. */
export interface PayoutStatusReportsTable {
  id: string;
  /** sha256 of the file, or the provider and message id of a callback. */
  fingerprint: string;
  kind: 'pain.002' | 'camt.054' | 'g2p';
  message_id: string;
  /** JSON: counts and differences. */
  report: string;
  imported_at: string;
  imported_by: string;
}

/** What happened to an item's attempt: settled or failed, and from which report. */
export interface PayoutItemEventsTable {
  id: string;
  item_id: string;
  attempt: number;
  end_to_end_id: string;
  event: 'settled' | 'failed';
  reason: string | null;
  report_id: string | null;
  at: string;
}

/** All ledger tables. */
export interface LedgerTables {
  wallet_pins: WalletPinsTable;
  ledger_accounts: LedgerAccountsTable;
  ledger_transfers: LedgerTransfersTable;
  ledger_pending_transfers: LedgerPendingTransfersTable;
  ledger_account_history: LedgerAccountHistoryTable;
  payout_providers: PayoutProvidersTable;
  payout_destinations: PayoutDestinationsTable;
  payout_batches: PayoutBatchesTable;
  payout_items: PayoutItemsTable;
  payout_claims: PayoutClaimsTable;
  payout_exports: PayoutExportsTable;
  payout_status_reports: PayoutStatusReportsTable;
  payout_item_events: PayoutItemEventsTable;
}

declare module '../db/schema' {
  interface Schema extends LedgerTables {}
}
