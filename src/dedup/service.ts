// The registry's duplicate detection, one per AppContext: an in-memory DedupIndex over every
// person not merged away, loaded from the persons table on first use and kept up to date as
// persons are enrolled, imported, renamed, moved, merged and unmerged.
//
// The index is a hint and the database is the truth. Every candidate it puts forward is read
// back from the persons table and scored again before anything is decided, so a record added
// by a transaction that later rolled back, a record corrected since, or a record merged away
// cannot cause a false flag.
//
// Several processes (PostgreSQL deployments): each process holds its own index. Before every
// check it reads the persons added since its last read (ids are UUIDv7, so this is a range
// scan on the primary key), which catches enrolments by the other processes. It can still
// miss (a) two processes enrolling the same person at the same moment, neither seeing the
// other's uncommitted row, (b) a row whose id sorts below the watermark because of clock skew
// between hosts, and (c) a correction made by another process that moves a record into a
// different block. `tessera dedup run` scans the whole registry and closes all three gaps; run
// it on a schedule in such deployments.
import type { Queryable } from '../db';
import type { AppContext, LifeEventHook } from '../shared/context';
import type { DuplicateScreening, OnDuplicate } from '../registry';
import { screenPerson, screenRows } from './enrolment-check';
import { createDedupIndex, type DedupIndex } from './dedup-index';
import type { MatchOptions } from './match';
import { matchColumns, matchRecordOf, type PersonMatchRow } from './person-record';

/** Persons read per page when the index is loaded or brought up to date. */
export const indexLoadPageRows = 5000;

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
  /** The index, loaded in pages on first use, then brought up to date with newer persons. */
  indexFor(db: Queryable): Promise<DedupIndex>;
  /** Adds or refreshes a person in a loaded index (nothing to do before the first load). */
  remember(row: PersonMatchRow): void;
}

/** Creates the service; nothing is read until the first check. */
export function createDedupService(
  app: AppContext,
  options: DedupServiceOptions = {},
): DedupService {
  let loaded: DedupIndex | undefined;
  let loading: Promise<DedupIndex> | undefined;
  let watermark = '';
  const documentAttribute = options.documentAttribute ?? null;

  async function readNewer(db: Queryable, index: DedupIndex): Promise<void> {
    for (;;) {
      const page = await db
        .selectFrom('persons')
        .select(matchColumns)
        .where('id', '>', watermark)
        .orderBy('id')
        .limit(indexLoadPageRows)
        .execute();
      for (const row of page) {
        if (row.status === 'merged') index.remove(row.id);
        else index.add(matchRecordOf(row, documentAttribute));
      }
      const last = page.at(-1);
      if (last && last.id > watermark) watermark = last.id;
      if (page.length < indexLoadPageRows) return;
    }
  }

  const service: DedupService = {
    onDuplicate: options.onDuplicate ?? 'flag',
    documentAttribute,
    matchOptions: options.match ?? {},
    async indexFor(db) {
      if (loaded) {
        await readNewer(db, loaded);
        return loaded;
      }
      // One load for everyone who asks meanwhile; a failed load is retried by the next caller.
      loading ??= (async () => {
        const index = createDedupIndex();
        await readNewer(db, index);
        loaded = index;
        return index;
      })().catch((e: unknown) => {
        loading = undefined;
        watermark = '';
        throw e;
      });
      return loading;
    },
    remember(row) {
      if (!loaded) return;
      if (row.status === 'merged') loaded.remove(row.id);
      else loaded.add(matchRecordOf(row, documentAttribute));
    },
    async openReview(db, personId) {
      const rows = await db
        .selectFrom('dedup_pairs')
        .select(['outcome'])
        .where((eb) => eb.or([eb('left_id', '=', personId), eb('right_id', '=', personId)]))
        .where('status', 'in', ['open', 'merge_requested'])
        .execute();
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
  if (row) app.dedup.remember(row);
};

export type { DuplicateReview, OnDuplicate, ScreenOptions } from '../registry';

declare module '../shared/context' {
  interface AppContext {
    /** This context's duplicate detection, when the dedup domain is connected. */
    dedup?: DedupService;
  }
}
