// The grievances domain's tables as Kysely sees them: each complaint (with its reference, its
// category, what it is about, its target date, its resolution and its appeal) and its history.
// Nothing here is visible to programme eligibility: no rule can name these tables.

/** One grievance: filed by the person, by staff on their behalf, or by SMS. Never deleted. */
export interface GrievancesTable {
  id: string;
  /** What the person is given: short, unambiguous, unique (e.g. `R7KX-4M2Q`). */
  reference: string;
  person_id: string;
  /** The person's region when filed: the queue it is routed to. */
  region_code: string;
  category: 'not_served' | 'wrong_quantity' | 'wrong_data' | 'data_misuse' | 'excluded' | 'other';
  channel: 'portal' | 'office' | 'sms';
  /** The person's words (one paragraph). */
  description: string;
  /** What it is about: a redemption, an entitlement, a cycle's decision, an access entry. */
  link_kind: 'redemption' | 'entitlement' | 'eligibility' | 'access_entry' | null;
  link_id: string | null;
  status: 'received' | 'in_review' | 'resolved' | 'appealed' | 'closed';
  filed_at: string;
  /** Actor id: a staff id, `person:<id>` from the portal, `system:sms` by SMS. */
  filed_by: string;
  /** When it should be resolved by: the category's target. */
  due_at: string;
  assigned_to: string | null;
  resolved_at: string | null;
  /** The staff member (their account id, however they signed in) who resolved it. */
  resolved_by: string | null;
  outcome: 'upheld' | 'partly_upheld' | 'not_upheld' | null;
  resolution_reason: string | null;
  appealed_at: string | null;
  appeal_reason: string | null;
  appeal_decided_at: string | null;
  appeal_decided_by: string | null;
  appeal_outcome: 'upheld' | 'partly_upheld' | 'not_upheld' | null;
  appeal_decision_reason: string | null;
}

/** What happened to a grievance, in order: its history. */
export interface GrievanceEventsTable {
  id: string;
  grievance_id: string;
  at: string;
  actor_id: string;
  event: 'filed' | 'in_review' | 'note' | 'resolved' | 'appealed' | 'appeal_decided';
  /** A note or reason, in the staff member's or person's words. */
  note: string | null;
}

/** All tables of the grievances domain. */
export interface GrievancesTables {
  grievances: GrievancesTable;
  grievance_events: GrievanceEventsTable;
}

declare module '../db/schema' {
  interface Schema extends GrievancesTables {}
}
