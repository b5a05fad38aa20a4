// The registry's tables as Kysely sees them. Every large table carries person_id or
// household_id: the distribution key for a Citus-sharded PostgreSQL later.
import type { Generated } from 'kysely';

/** A person as stored now (previous versions live in person_versions). */
export interface PersonsTable {
  id: string;
  registry_number: string;
  external_id: string | null;
  given_names: string;
  surname1: string | null;
  surname2: string | null;
  birth_date: string;
  birth_date_precision: 'day' | 'month' | 'year';
  sex: 'F' | 'M' | 'X' | null;
  birth_place: string | null;
  region_code: string;
  locality: string | null;
  address_line: string | null;
  phone: string | null;
  status: 'active' | 'deceased' | 'merged' | 'inactive';
  merged_into: string | null;
  household_id: string | null;
  /** JSON object of declared, non-health attributes. */
  attributes: string;
  /** Health attributes: AES-256-GCM sealed JSON, or null. */
  health_attributes: string | null;
  /** Accent- and case-folded "given names surname1 surname2", for search. */
  search_name: string;
  version: number;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

/** One earlier version of a person: the whole record as it was, and why it changed. */
export interface PersonVersionsTable {
  person_id: string;
  version: number;
  /** JSON snapshot of the persons row as it was at this version. */
  snapshot: string;
  valid_from: string;
  valid_to: string;
  changed_by: string;
  change_reason: string;
}

/** A declared custom attribute: the closed schema of principle 1. */
export interface AttributeDefinitionsTable {
  name: string;
  type: 'string' | 'integer' | 'boolean' | 'date' | 'enum';
  category: string;
  description: string;
  /** JSON array of allowed values for enum attributes. */
  enum_values: string | null;
  created_at: string;
  created_by: string;
  retired_at: string | null;
}

/** A household and its address. */
export interface HouseholdsTable {
  id: string;
  /** The household's reference in the file it was imported from (unique), or null. */
  external_ref: string | null;
  region_code: string;
  locality: string | null;
  address_line: string | null;
  created_at: string;
  created_by: string;
}

/** Membership of a person in a household over time; left_at null means current. */
export interface HouseholdMembersTable {
  id: string;
  household_id: string;
  person_id: string;
  relationship: string;
  joined_at: string;
  joined_reason: string;
  left_at: string | null;
  left_reason: string | null;
  recorded_by: string;
}

/** A life event: birth, death, change of name or address, move between households. */
export interface LifeEventsTable {
  id: string;
  person_id: string;
  kind: 'birth' | 'death' | 'name_change' | 'address_change' | 'household_move';
  occurred_on: string;
  recorded_at: string;
  recorded_by: string;
  /** JSON detail of the event (old and new values). */
  details: string;
}

/** Import runs, so that an import can report and be resumed by external id. */
export interface ImportRunsTable {
  id: string;
  source_name: string;
  started_at: string;
  finished_at: string | null;
  started_by: string;
  accepted: Generated<number>;
  rejected: Generated<number>;
  /** JSON report: rejected rows with line and reason (first N). */
  report: string | null;
}

/** All registry tables. */
export interface RegistryTables {
  persons: PersonsTable;
  person_versions: PersonVersionsTable;
  attribute_definitions: AttributeDefinitionsTable;
  households: HouseholdsTable;
  household_members: HouseholdMembersTable;
  life_events: LifeEventsTable;
  import_runs: ImportRunsTable;
}

declare module '../db/schema' {
  interface Schema extends RegistryTables {}
}
