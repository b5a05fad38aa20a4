// The registry's duplicate detection, one per AppContext. Its blocking index is a table
// (dedup_block_keys, see stored-keys.ts), not the process heap: a new person's keys are
// written in the transaction that enrols them, persons written by other paths are keyed by
// `tessera dedup keys` (or, up to lazyKeyMax of them, by the next check), and a correction of
// a name or an address rewrites the person's keys.
//
// The index is a hint and the persons table is the truth. Every candidate it puts forward is
// read back from the persons table and scored on what is stored there before anything is
// decided, so a record corrected since, or merged away, cannot cause a false flag.
//
// Several processes (PostgreSQL deployments) share the table, so one sees the others' committed
// enrolments at once. It can still miss two processes enrolling the same person at the same
// moment, neither seeing the other's uncommitted row, and a person written by another path
// with an id below the watermark (clock skew between hosts). `tessera dedup run` scans the
// whole registry and closes both gaps; run it on a schedule in such deployments.
import type { Engine, Queryable } from '../db';
import type { AppContext, LifeEventHook } from '../shared/context';
import type { DuplicateScreening, OnDuplicate } from '../registry';
import { screenPerson } from './enrolment-check';
import { screenRows } from './screen-rows';
import type { MatchOptions } from './match';
import { matchColumns, matchRecordOf, type PersonMatchRow } from './person-record';
import { keyNewerPersons, storeKeys } from './stored-keys';

/** Options of the service. */
export interface DedupServiceOptions {
  /** Default 'flag': a false refusal turns a real person away; a flag only waits for review. */
  onDuplicate?: OnDuplicate | undefined;
  /** The declared attribute holding an identity document number, if any. */
  documentAttribute?: string | null;
  /** Model and thresholds; the shipped defaults otherwise. */
  match?: MatchOptions;
}

/** Duplicate detection for one application context; implements the registry's port. */
export interface DedupService extends DuplicateScreening {
  readonly onDuplicate: OnDuplicate;
  readonly documentAttribute: string | null;
  readonly matchOptions: MatchOptions;
  /** The database engine (the key fetch is shaped for it). */
  readonly engine: Engine;
  /**
   * Keys the persons written since the last check by paths that do not screen (archive
   * imports, the demo), up to lazyKeyMax; refuses with DEDUP_KEYS_BEHIND beyond that.
   */
  keyNewer(db: Queryable): Promise<void>;
  /** Rewrites a person's blocking keys after a correction or an unmerge. */
  remember(db: Queryable, row: PersonMatchRow): Promise<void>;
}

/**
 * The outcomes of the open review pairs a person is in. One arm per side, each on its own
 * index: with `left_id = ? or right_id = ?` SQLite walked every open pair by status instead
 * (0.75 ms a person at 3,119 open pairs, 1,000,000 people; 0.004 ms this way) — paid on
 * every person read and for every card a bulk job issues.
 */
export function openPairsOf(db: Queryable, personId: string) {
  const side = (column: 'left_id' | 'right_id') =>
    db
      .selectFrom('dedup_pairs')
      .select(['outcome'])
      .where(column, '=', personId)
      .where('status', 'in', ['open', 'merge_requested']);
  return side('left_id').unionAll(side('right_id'));
}

/** Creates the service; nothing is read until the first check. */
export function createDedupService(
  app: AppContext,
  options: DedupServiceOptions = {},
): DedupService {
  const documentAttribute = options.documentAttribute ?? null;

  const service: DedupService = {
    onDuplicate: options.onDuplicate ?? 'flag',
    documentAttribute,
    matchOptions: options.match ?? {},
    engine: app.db.engine,
    async keyNewer(db) {
      await keyNewerPersons(db, app.db.engine, documentAttribute);
    },
    async remember(db, row) {
      // A merged person's keys stay: candidates are read back and merged ones dropped.
      if (row.status !== 'merged') await storeKeys(db, matchRecordOf(row, documentAttribute));
    },
    async openReview(db, personId) {
      const rows = await openPairsOf(db, personId).execute();
      if (rows.length === 0) return null;
      return {
        outcome: rows.some((r) => r.outcome === 'same_person')
          ? 'same_person'
          : 'possible_duplicate',
        pairs: rows.length,
      };
    },
    screenPerson: (trx, caller, row, screen = {}) =>
      screenPerson(app, service, trx, caller, row, screen),
    screenRows: (trx, caller, rows, screen = {}) =>
      screenRows(app, service, trx, caller, rows, screen),
  };
  return service;
}

/** Refreshes the index when a person's name or address changes, so blocking finds them. */
export const dedupLifeEventHook: LifeEventHook = async (trx, event, app) => {
  if (!app.dedup || !['name_change', 'address_change'].includes(event.kind)) return;
  const row = await trx
    .selectFrom('persons')
    .select(matchColumns)
    .where('id', '=', event.personId)
    .executeTakeFirst();
  if (row) await app.dedup.remember(trx, row);
};

export type { DuplicateReview, OnDuplicate, ScreenOptions } from '../registry';

declare module '../shared/context' {
  interface AppContext {
    /** This context's duplicate detection, when the dedup domain is connected. */
    dedup?: DedupService;
  }
}
