// Bulk card issuance jobs: a region or a list of people, issued a batch per transaction, the
// job's cursor moving in the same transaction, so a job stopped anywhere resumes exactly where
// its last batch committed and never issues a card twice.

/** A bulk issuance job. Never deleted: it is the record of who issued which cards at once. */
export interface CardJobsTable {
  id: string;
  /** `region`: every active person of a region; `list`: the people named at creation. */
  kind: 'region' | 'list';
  region_code: string | null;
  status: 'running' | 'done';
  created_by: string;
  created_at: string;
  /** People the job will look at: the region's active people when created, or the list's length. */
  total: number;
  /** People looked at so far (issued or skipped). */
  done: number;
  issued: number;
  /** JSON object: how many were skipped, per reason (`holds_card`, `inactive`, `in_review`). */
  skipped: string;
  /** Region jobs: the last person id looked at; list jobs: the last seq. Null before the first. */
  cursor: string | null;
  updated_at: string;
  finished_at: string | null;
}

/** The people of a list job, in the order given. */
export interface CardJobPeopleTable {
  job_id: string;
  seq: number;
  person_id: string;
}

/** The cards a job issued, so that their print sheets can be rendered (and again). */
export interface CardJobCardsTable {
  job_id: string;
  serial: number;
}

/** Tables of bulk issuance. */
export interface CardJobTables {
  card_jobs: CardJobsTable;
  card_job_people: CardJobPeopleTable;
  card_job_cards: CardJobCardsTable;
}

declare module '../db/schema' {
  interface Schema extends CardJobTables {}
}
