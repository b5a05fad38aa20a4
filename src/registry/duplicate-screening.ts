// The port through which enrolment asks whether a new person is already registered. The
// registry declares what it needs; the dedup domain implements it and the module list
// connects it (app.duplicateScreening). With nothing connected, no screening happens.
import type { Insertable } from 'kysely';
import type { Queryable } from '../db';
import type { Caller } from '../shared/context';
import type { PersonsTable } from './tables';

/** What enrolment does with a likely duplicate. */
export type OnDuplicate = 'flag' | 'refuse';

/** Returned with a person whose enrolment was flagged: the record exists, a reviewer decides. */
export interface DuplicateReview {
  status: 'pending_review';
  outcome: 'same_person' | 'possible_duplicate';
  /** Review-queue entries linking the new record with each candidate. */
  pairIds: string[];
}

/** Options of one screening. */
export interface ScreenOptions {
  /** Overrides the deployment's choice for this call. */
  onDuplicate?: OnDuplicate | undefined;
  source?: 'enrolment' | 'import' | 'batch';
  /** The import run, for pairs found by an import. */
  sourceId?: string | null;
}

/** A person's record waits in the duplicate-review queue: staff should not act as if settled. */
export interface DuplicateFlag {
  /** The strongest outcome among the open review entries naming this person. */
  outcome: 'same_person' | 'possible_duplicate';
  /** How many open review entries name this person. */
  pairs: number;
}

/** Duplicate screening of persons about to be inserted. */
export interface DuplicateScreening {
  /** Whether `personId` is named by a review entry still awaiting a decision; null if not. */
  openReview?(db: Queryable, personId: string): Promise<DuplicateFlag | null>;
  /** Checks a person about to be inserted; refuses, or flags and returns the review. */
  screenPerson(
    trx: Queryable,
    caller: Caller,
    row: Insertable<PersonsTable>,
    options?: ScreenOptions,
  ): Promise<DuplicateReview | null>;
  /** Checks a batch of imported rows; returns the refused rows' ids with the reason. */
  screenRows(
    trx: Queryable,
    caller: Caller,
    rows: readonly Insertable<PersonsTable>[],
    options?: ScreenOptions,
  ): Promise<Map<string, string>>;
}

declare module '../shared/context' {
  interface AppContext {
    /** Provided by the dedup domain when it is in the module list. */
    duplicateScreening?: DuplicateScreening;
  }
}
