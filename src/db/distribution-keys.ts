// Where every table would live on a Citus cluster, declared once so that a test can hold the
// schema to it (src/db/distribution-keys.test.ts): every table of the migrated schema must be
// named here, each distributed table must carry its distribution column (present, never
// null, and of the same type as the rest of its co-location group). A new table that is not
// placed here fails that test, so nobody adds a large table without deciding its key.
//
// The plan in words is in the README (Architecture, "Past one machine"). In short: almost
// everything is about one person, so the person is the unit of distribution and every table
// about a person is co-located with `persons` on the person's id; a counter's lookup and
// redemption, an enrolment, a correction, a card and an access report each touch one shard.
// Small tables that every shard joins against are reference tables (copied to every node);
// the few tables that must stay one stream (the audit seals, the sealer's cursor, sign-in
// throttles, four-eyes approvals) stay on the coordinator as local tables.
import type { Schema } from './schema';

/** Tables whose rows are stored together, on the same shard for the same key value. */
export type ColocationGroup =
  /** Keyed by the person's id: `persons.id` and every `person_id`. */
  | 'person'
  /** Keyed by a ledger account's id: a transfer lives with the account it debits. */
  | 'account'
  /** Keyed by the table's own id, co-located with nothing (appends spread evenly). */
  | 'own';

/** A distributed table: its distribution column and the group it is co-located with. */
export interface DistributedTable {
  column: string;
  colocation: ColocationGroup;
}

// Every table Kysely knows, and the one the privacy domain types apart (its seal-key inventory).
type Table = (keyof Schema & string) | 'audit_seal_keys';

/**
 * The large tables, and the column Citus would distribute each on
 * (`select create_distributed_table('<table>', '<column>', colocate_with => …)`).
 */
export const distributedTables = {
  // The registry: a person and everything kept about them.
  persons: { column: 'id', colocation: 'person' },
  person_versions: { column: 'person_id', colocation: 'person' },
  life_events: { column: 'person_id', colocation: 'person' },
  household_members: { column: 'person_id', colocation: 'person' },
  cards: { column: 'person_id', colocation: 'person' },
  nominees: { column: 'beneficiary_id', colocation: 'person' },
  // Programmes: what each person is due, cycle after cycle.
  cycle_members: { column: 'person_id', colocation: 'person' },
  entitlements: { column: 'person_id', colocation: 'person' },
  programme_pauses: { column: 'person_id', colocation: 'person' },
  payment_results: { column: 'person_id', colocation: 'person' },
  // Distribution: what was handed over to whom.
  redemptions: { column: 'person_id', colocation: 'person' },
  leases: { column: 'person_id', colocation: 'person' },
  conflicts: { column: 'person_id', colocation: 'person' },
  proof_codes: { column: 'person_id', colocation: 'person' },
  offline_wallet_payments: { column: 'person_id', colocation: 'person' },
  // The audit index behind a person's access report.
  audit_subjects: { column: 'person_id', colocation: 'person' },
  // Notices, payouts, wallets, grievances and the portal: each about one person.
  notice_outbox: { column: 'person_id', colocation: 'person' },
  notice_preferences: { column: 'person_id', colocation: 'person' },
  payout_destinations: { column: 'person_id', colocation: 'person' },
  payout_items: { column: 'person_id', colocation: 'person' },
  payout_claims: { column: 'person_id', colocation: 'person' },
  wallet_pins: { column: 'person_id', colocation: 'person' },
  grievances: { column: 'person_id', colocation: 'person' },
  portal_sessions: { column: 'person_id', colocation: 'person' },
  // The ledger: a transfer is stored with the account it debits, where the balance limit
  // that may refuse it is checked; the credited account's balance is on its own shard.
  ledger_accounts: { column: 'id', colocation: 'account' },
  ledger_account_history: { column: 'account_id', colocation: 'account' },
  ledger_transfers: { column: 'debit_account_id', colocation: 'account' },
  ledger_pending_transfers: { column: 'debit_account_id', colocation: 'account' },
  // Append-only streams that are not about one person: spread evenly by their own key.
  audit_log: { column: 'id', colocation: 'own' },
  households: { column: 'id', colocation: 'own' },
  idempotency_keys: { column: 'key', colocation: 'own' },
  offline_entries: { column: 'device_id', colocation: 'own' },
  dedup_pairs: { column: 'id', colocation: 'own' },
  // The duplicate check's blocking keys (about 26 per person): by the key, so that one key's
  // members — what a check reads — sit on one shard; writing a person's keys touches several.
  dedup_block_keys: { column: 'block_key', colocation: 'own' },
  payout_item_events: { column: 'item_id', colocation: 'own' },
  notice_gateway_ids: { column: 'outbox_id', colocation: 'own' },
  ledger_transfer_refusals: { column: 'id', colocation: 'own' },
} as const satisfies Partial<Record<Table, DistributedTable>>;

/**
 * Distributed tables whose primary key does not yet contain the distribution column. Citus
 * requires every primary key and unique index of a distributed table to contain it, so before
 * the move each of these becomes `(key, …)`: a migration still to write (for ledger_transfers
 * and offline_wallet_payments, whose ids must stay unique across accounts, with a lookup table
 * distributed on the id, as for registry numbers). The test holds this list to the schema: a new
 * distributed table puts its key in its primary key or is added here knowingly, and a table
 * whose key is widened leaves the list.
 */
export const primaryKeysToWiden = [
  'life_events',
  'household_members',
  'cards',
  'nominees',
  'programme_pauses',
  'redemptions',
  'leases',
  'conflicts',
  'proof_codes',
  'offline_wallet_payments',
  'notice_outbox',
  'payout_destinations',
  'payout_items',
  'grievances',
  'portal_sessions',
  'ledger_transfers',
  'ledger_pending_transfers',
  'payout_item_events',
  'notice_gateway_ids',
] as const satisfies readonly (keyof typeof distributedTables)[];

/**
 * Small tables read beside the large ones on every shard (programmes and their rules, points,
 * staff, keys): copied whole to every node (`create_reference_table`), so a join with them
 * never leaves the shard. Each is written rarely, by staff, not per person.
 */
export const referenceTables = [
  'attribute_definitions',
  'programmes',
  'programme_versions',
  'cycles',
  'points',
  'point_operators',
  'devices',
  'staff',
  'role_grants',
  'issuer_keys',
  'credential_documents',
  'audit_seal_keys',
  'settlement_rates',
  'payout_providers',
  'notice_programme_templates',
] as const satisfies readonly Table[];

/**
 * Tables that stay on the coordinator, undistributed: small, or one stream whose order is the
 * point (the audit seals and the sealer's chain), or working state of staff and jobs that no
 * per-person query joins (sessions, throttles, approvals, runs, batches, reports).
 */
export const coordinatorTables = [
  'audit_seals',
  'approvals',
  'api_tokens',
  'sessions',
  'recovery_codes',
  'totp_enrolments',
  'signin_failures',
  'read_volume',
  'portal_codes',
  'portal_limits',
  'import_runs',
  'dedup_runs',
  'dedup_key_progress',
  'dedup_decisions',
  'person_merges',
  'cycle_events',
  'cycle_aggregates',
  'exclusion_reports',
  'distribution_reductions',
  'payment_batches',
  'packs',
  'stock_movements',
  'settlements',
  'settlement_lines',
  'settlement_disputes',
  'payout_batches',
  'payout_exports',
  'payout_status_reports',
  'payout_statement_lines',
  'notice_inbound',
  'grievance_events',
  // Bulk card jobs: a background job's own bookkeeping (its list and the serials it issued),
  // read in the job's order by the job alone.
  'card_jobs',
  'card_job_people',
  'card_job_cards',
] as const satisfies readonly Table[];

/**
 * SQLite's name index (src/registry/search-index.ts): the FTS5 table, its shadow tables and
 * its integer keys. PostgreSQL keeps the same index as a GIN index on `persons`, which a
 * cluster distributes with its table, so nothing here exists there to place.
 */
export const sqliteOnlyTables = [
  'person_search',
  'person_search_data',
  'person_search_idx',
  'person_search_docsize',
  'person_search_config',
  'person_search_docs',
] as const;

/** Tables that are not the application's own (the migration bookkeeping). */
export const bookkeepingTables = ['kysely_migration', 'kysely_migration_lock'] as const;
