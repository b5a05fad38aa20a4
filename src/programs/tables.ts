// The programmes domain's tables as Kysely sees them. The large ones (cycle_members,
// entitlements) are keyed by (cycle_id, person_id): the primary key is the idempotency
// guarantee of bulk generation, and person_id is the distribution key for a sharded cluster.

/** A programme: what stays the same across its versions. */
export interface ProgrammesTable {
  id: string;
  /** Short stable name rules refer to (`in_programme("food_box")`). */
  code: string;
  kind: 'basket' | 'cash' | 'quota' | 'medicine' | 'one_time';
  target: 'person' | 'household';
  schedule: 'monthly' | 'weekly' | 'one_time';
  current_version: number;
  status: 'active' | 'retired';
  created_at: string;
  created_by: string;
}

/** One version of a programme: never changed once written; cycles name the version they use. */
export interface ProgrammeVersionsTable {
  programme_id: string;
  version: number;
  name_es: string;
  name_en: string;
  rule: string;
  /** JSON: benefit, co-payment, funding account, service areas, retention, stagger. */
  definition: string;
  change_reason: string;
  created_at: string;
  created_by: string;
}

/** A cycle of a programme: draft → frozen → generated → approved → closed (or cancelled). */
export interface CyclesTable {
  id: string;
  programme_id: string;
  programme_version: number;
  /** e.g. "2026-12" or "2026-W49": unique per programme among cycles not cancelled. */
  label: string;
  /** Ages and household sizes are computed at this date. */
  reference_date: string;
  opens_on: string;
  closes_on: string;
  status: 'draft' | 'frozen' | 'generated' | 'approved' | 'closed' | 'cancelled';
  eligible_count: number | null;
  entitlement_count: number | null;
  frozen_at: string | null;
  frozen_by: string | null;
  generated_at: string | null;
  generated_by: string | null;
  approved_at: string | null;
  approved_by: string | null;
  closed_at: string | null;
  closed_by: string | null;
  cancelled_at: string | null;
  cancelled_by: string | null;
  cancel_reason: string | null;
  /** When redemption detail was reduced to aggregates (principle 4). */
  reduced_at: string | null;
  created_at: string;
  created_by: string;
}

/** What happened to a cycle, in order: the timeline the console draws. */
export interface CycleEventsTable {
  id: string;
  cycle_id: string;
  at: string;
  actor_id: string;
  event: string;
  /** JSON detail (counts, reasons); never personal data. */
  details: string;
}

/** The eligible set of a frozen cycle: computed once, never changed by later registry edits. */
export interface CycleMembersTable {
  cycle_id: string;
  person_id: string;
  household_id: string | null;
  region_code: string;
  sex: string | null;
  birth_date: string;
  /** Active members of the household at the freeze, when the benefit depends on it; else null. */
  household_size: number | null;
}

/** One entitlement: what one person (or household, through its head) may collect in a cycle. */
export interface EntitlementsTable {
  cycle_id: string;
  person_id: string;
  programme_id: string;
  household_id: string | null;
  region_code: string;
  /** Units of the programme's item (boxes, litres, packs); 1 for cash. */
  quantity: number;
  /** Minor units of money for cash programmes; 0 otherwise. */
  amount_minor: number;
  redeemed_quantity: number;
  status: 'issued' | 'paused' | 'void' | 'redeemed' | 'expired';
  /** The first day of the person's collection window (the staggered calendar). */
  opens_on: string;
  status_reason: string | null;
  status_changed_at: string | null;
  status_changed_by: string | null;
  /** How the person proved who they were at the last redemption (card, alternative, nominee). */
  last_proof_kind: string | null;
  last_redeemed_at: string | null;
  /** Where it was last redeemed: point-of-service id (removed when the cycle is reduced). */
  last_point_id: string | null;
  created_at: string;
}

/** A pause of one person's entitlements in a programme: outlives cycles and regeneration. */
export interface ProgrammePausesTable {
  id: string;
  programme_id: string;
  person_id: string;
  reason: string;
  paused_at: string;
  paused_by: string;
  lifted_at: string | null;
  lifted_by: string | null;
  lift_reason: string | null;
}

/** A cycle's exclusion report, stored when generated (closing stores the final one). */
export interface ExclusionReportsTable {
  id: string;
  cycle_id: string;
  generated_at: string;
  generated_by: string;
  final: number;
  /** JSON: measures by region, small cells suppressed. */
  report: string;
}

/** What was left of a cycle's redemption detail after retention: counts by region and point. */
export interface CycleAggregatesTable {
  cycle_id: string;
  region_code: string;
  point_id: string;
  status: string;
  entitlements: number;
  redeemed_quantity: number;
}

/**
 * A payment run over a cash cycle's entitlements (one-time payments and cash per cycle): the
 * client names the batch, so running it again pays nothing twice and returns the same report.
 */
export interface PaymentBatchesTable {
  id: string;
  cycle_id: string;
  started_at: string;
  started_by: string;
  finished_at: string | null;
  paid: number;
  skipped: number;
}

/** What one payment batch did for one entitlement: paid, or skipped and why. */
export interface PaymentResultsTable {
  batch_id: string;
  cycle_id: string;
  person_id: string;
  outcome: 'paid' | 'skipped';
  /** Why it was skipped (void, paused, fund_exhausted, …); null when paid. */
  reason: string | null;
  /** The ledger transfer: derived from cycle and person, so no retry can pay twice. */
  transfer_id: string;
  amount_minor: number;
  at: string;
}

/** All tables of the programmes domain. */
export interface ProgramsTables {
  programmes: ProgrammesTable;
  programme_versions: ProgrammeVersionsTable;
  cycles: CyclesTable;
  cycle_events: CycleEventsTable;
  cycle_members: CycleMembersTable;
  entitlements: EntitlementsTable;
  programme_pauses: ProgrammePausesTable;
  exclusion_reports: ExclusionReportsTable;
  cycle_aggregates: CycleAggregatesTable;
  payment_batches: PaymentBatchesTable;
  payment_results: PaymentResultsTable;
}

declare module '../db/schema' {
  interface Schema extends ProgramsTables {}
}
