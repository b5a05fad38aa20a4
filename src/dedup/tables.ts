// The duplicate-review tables as Kysely sees them: pairs put forward by the matcher, what
// reviewers decided about them, merges (so that each can be undone) and batch runs.

/** Where a pair was found. */
export type PairSource = 'enrolment' | 'import' | 'batch';

/**
 * Where a pair stands. `different_people` and `unmerged` are final: the pair key is unique,
 * so neither the enrolment check nor a batch run ever puts the same two records forward again.
 */
export type PairStatus = 'open' | 'different_people' | 'merge_requested' | 'merged' | 'unmerged';

/** Two records the matcher judged likely to describe one person. */
export interface DedupPairsTable {
  id: string;
  /** `${left_id}:${right_id}` with left_id < right_id: one row per unordered pair. */
  pair_key: string;
  left_id: string;
  right_id: string;
  outcome: 'same_person' | 'possible_duplicate';
  /** Match weight in hundredths of a bit, as found (integers compare the same on both engines). */
  match_weight_centibits: number;
  /** JSON array of ExplanationItem as found. */
  explanation: string;
  source: PairSource;
  /** The import run or dedup run that found it; null for a single enrolment. */
  source_id: string | null;
  status: PairStatus;
  created_at: string;
  updated_at: string;
  /** The four-eyes request of the latest merge or unmerge. */
  approval_id: string | null;
  survivor_id: string | null;
}

/** Every decision taken on a pair, in order: the review trail. */
export interface DedupDecisionsTable {
  id: string;
  pair_id: string;
  decision: 'different_people' | 'merge_requested' | 'merged' | 'unmerge_requested' | 'unmerged';
  decided_by: string;
  decided_at: string;
  reason: string;
  approval_id: string | null;
}

/** A merge of one record into another, with what it did so that it can be undone. */
export interface PersonMergesTable {
  id: string;
  pair_id: string;
  survivor_id: string;
  merged_id: string;
  merge_approval_id: string;
  merged_at: string;
  merged_by: string;
  /** JSON HouseholdAction: what the merge did to household membership. */
  household_action: string;
  unmerge_approval_id: string | null;
  unmerged_at: string | null;
  unmerged_by: string | null;
}

/**
 * A batch scan of the whole registry. `cursor` is `key:` and the last block key whose pairs
 * are stored, and `records_done` the key rows scanned (a run stopped by an older version,
 * whose cursor is a person id, is not resumed but started afresh).
 */
export interface DedupRunsTable {
  id: string;
  started_at: string;
  started_by: string;
  finished_at: string | null;
  status: 'running' | 'finished' | 'abandoned';
  cursor: string | null;
  records_total: number;
  records_done: number;
  pairs_found: number;
  pairs_new: number;
  /** JSON summary written when the run finishes. */
  summary: string | null;
}

/** One blocking key of one person (stored-keys.ts), with the key's two refining hashes. */
export interface DedupBlockKeysTable {
  block_key: number;
  refine1: number;
  refine2: number;
  person_id: string;
}

/** How far a derived table has been brought up to date: the newest person id it covers. */
export interface DedupKeyProgressTable {
  name: string;
  last_id: string;
}

/** All duplicate-review tables. */
export interface DedupTables {
  dedup_pairs: DedupPairsTable;
  dedup_decisions: DedupDecisionsTable;
  person_merges: PersonMergesTable;
  dedup_runs: DedupRunsTable;
  dedup_block_keys: DedupBlockKeysTable;
  dedup_key_progress: DedupKeyProgressTable;
}

declare module '../db/schema' {
  interface Schema extends DedupTables {}
}
