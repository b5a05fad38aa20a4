// Tables of settlement, reconciliation, disputes and offline wallet payments. Amounts are
// 64-bit integers of minor units: read them with readAmount().

/**
 * What a programme pays a point per unit handed over, from a day on. Append-only: a new rate
 * is a new row (the latest effective on a day applies), and each settlement line names the row
 * it used, so that a later change never alters a settlement already computed.
 */
export interface SettlementRatesTable {
  id: string;
  programme_id: string;
  currency: string;
  per_unit_minor: number | bigint;
  /** The programme_fund account reimbursements leave from. */
  fund_account_id: string;
  /** The first local day (YYYY-MM-DD) the rate applies to. */
  effective_from: string;
  reason: string;
  created_at: string;
  created_by: string;
}

/** One point's settlement of one local day: computed, then approved by someone else. */
export interface SettlementsTable {
  id: string;
  point_id: string;
  /** The point's local day, YYYY-MM-DD. */
  day: string;
  region_code: string;
  merchant_account_id: string | null;
  status: 'computed' | 'approved';
  computed_at: string;
  computed_by: string;
  approved_at: string | null;
  approved_by: string | null;
}

/** One programme's part of a point's day: what was handed over, taken, and is owed. */
export interface SettlementLinesTable {
  settlement_id: string;
  programme_id: string;
  currency: string;
  redemptions: number;
  quantity: number;
  cash_minor: number | bigint;
  wallet_minor: number | bigint;
  /** The rate row used; null when the programme has none (nothing is owed). */
  rate_id: string | null;
  per_unit_minor: number | bigint;
  reimbursement_minor: number | bigint;
  fund_account_id: string | null;
  /** Derived from (point, day, programme): a settlement run again never pays twice. */
  transfer_id: string;
}

/** A dispute about one settlement line; an upheld one is corrected by a new transfer. */
export interface SettlementDisputesTable {
  id: string;
  settlement_id: string;
  programme_id: string;
  point_id: string;
  region_code: string;
  /** underpaid: the programme owes the point more; overpaid: the point was paid too much. */
  direction: 'underpaid' | 'overpaid';
  claimed_minor: number | bigint;
  reason: string;
  status: 'open' | 'under_review' | 'upheld' | 'rejected';
  opened_at: string;
  opened_by: string;
  reviewed_at: string | null;
  reviewed_by: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
  resolution_note: string | null;
  /** What the correcting transfer moved (upheld only). */
  adjustment_minor: number | bigint | null;
  transfer_id: string | null;
}

/** Every line of every provider statement imported, applied or not: what reconciliation reads. */
export interface PayoutStatementLinesTable {
  report_id: string;
  seq: number;
  /** Where in the file (line number) or callback. */
  at: string;
  end_to_end_id: string;
  /** The report's kind: a pain.002 failure is a rejection, a camt.054 one a return. */
  kind: 'pain.002' | 'camt.054' | 'g2p';
  outcome: 'settled' | 'failed' | 'pending' | 'duplicate';
  reason: string | null;
  amount_minor: number | bigint | null;
  currency: string | null;
  recorded_at: string;
}

/** A wallet co-payment a device took offline (no PIN): counted against its daily limit. */
export interface OfflineWalletPaymentsTable {
  transfer_id: string;
  device_id: string;
  /** The local day of the handing-over. */
  day: string;
  person_id: string;
  amount_minor: number | bigint;
  at: string;
}

/**
 * A transfer the ledger refused for a reason that depends on the moment (funds, a missing
 * account or reservation): kept by id, as TigerBeetle keeps it, so that a late or retried try
 * of the same id gets the same refusal and is never applied after the client was told no.
 */
export interface LedgerTransferRefusalsTable {
  id: string;
  result: string;
  at: string;
}

/** All tables added for settlement, reconciliation and disputes. */
export interface SettlementTables {
  settlement_rates: SettlementRatesTable;
  settlements: SettlementsTable;
  settlement_lines: SettlementLinesTable;
  settlement_disputes: SettlementDisputesTable;
  payout_statement_lines: PayoutStatementLinesTable;
  offline_wallet_payments: OfflineWalletPaymentsTable;
  ledger_transfer_refusals: LedgerTransferRefusalsTable;
}

declare module '../db/schema' {
  interface Schema extends SettlementTables {}
}
