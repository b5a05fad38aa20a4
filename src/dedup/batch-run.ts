// `tessera dedup run`: scan the whole registry once and fill the review queue.
//
// Persons are read in id order, in pages; each is compared with the records before it
// (through a fresh blocking index), so every pair is scored once. After each page the new
// pairs and the run's cursor (the last id of the page) are written in one transaction: a run
// that stops — crash, Ctrl-C, a limit — resumes from the cursor, re-reading the earlier records
// into the index without scoring them again, and the queue never holds a pair twice.
import { regionsFor } from '../shared/access';
import { appendAudit } from '../privacy';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { checkEnrolment } from './match';
import { createDedupIndex } from './dedup-index';
import type { ScoredPair } from './types';
import { matchColumns, matchRecordOf } from './person-record';
import { insertPairs } from './store';

/** Persons read per page, and per stored cursor step. */
export const batchPageRows = 2000;

/** Options of a run. */
export interface DedupRunOptions {
  /** Abandon an unfinished run and start afresh instead of resuming it. */
  restart?: boolean;
  /** Records scanned so far, of the total (for a progress bar). */
  onProgress?: (done: number, total: number) => void;
  /** Stop after scoring about this many records (whole pages); the run stays resumable. */
  stopAfterRecords?: number;
  pageRows?: number;
}

/** What a run did; also stored, as JSON, on the run record. */
export interface DedupRunReport {
  runId: string;
  resumed: boolean;
  finished: boolean;
  recordsTotal: number;
  /** Records scored, over every session of this run. */
  recordsDone: number;
  /** Blocking candidates compared in this session. */
  comparedCount: number;
  /**
   * Records scored in this session whose every block was too big even after splitting
   * (see dedup-index.ts), so that nothing was compared with them.
   */
  recordsWithoutBlock: number;
  pairsFound: number;
  pairsNew: number;
  /** New pairs by outcome over the whole run (filled in when it finishes). */
  samePerson: number;
  possibleDuplicate: number;
  startedAt: string;
  finishedAt: string | null;
}

async function openRun(app: AppContext, caller: Caller, restart: boolean, total: number) {
  const unfinished = await app.db.kysely
    .selectFrom('dedup_runs')
    .selectAll()
    .where('status', '=', 'running')
    .orderBy('started_at', 'desc')
    .execute();
  const [latest] = unfinished;
  if (latest && !restart) return { run: latest, resumed: true };
  const now = app.now().toISOString();
  return app.db.transaction(async (trx) => {
    if (unfinished.length > 0)
      await trx
        .updateTable('dedup_runs')
        .set({ status: 'abandoned', finished_at: now })
        .where('status', '=', 'running')
        .execute();
    const run = {
      id: app.newId(),
      started_at: now,
      started_by: caller.actor.id,
      finished_at: null,
      status: 'running' as const,
      cursor: null,
      records_total: total,
      records_done: 0,
      pairs_found: 0,
      pairs_new: 0,
      summary: null,
    };
    await trx.insertInto('dedup_runs').values(run).execute();
    await appendAudit(trx, app, caller, {
      operation: 'dedup.run.start',
      permission: 'dedup:review',
      details: { runId: run.id, recordsTotal: total },
    });
    return { run, resumed: false };
  });
}

/** Scans the registry for duplicates, resuming an unfinished run unless told to restart. */
export async function runDedupBatch(
  app: AppContext,
  caller: Caller,
  options: DedupRunOptions = {},
): Promise<DedupRunReport> {
  if (regionsFor(caller.actor, 'dedup:review') !== '*')
    throw new DomainError(
      'FORBIDDEN',
      'A registry-wide duplicate scan needs the permission dedup:review nationally.',
    );
  const { count } = await app.db.kysely
    .selectFrom('persons')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('status', '!=', 'merged')
    .executeTakeFirstOrThrow();
  const total = Number(count);
  const { run, resumed } = await openRun(app, caller, options.restart ?? false, total);
  const pageRows = options.pageRows ?? batchPageRows;
  const documentAttribute = app.dedup?.documentAttribute ?? null;
  const matchOptions = app.dedup?.matchOptions ?? {};
  const report: DedupRunReport = {
    runId: run.id,
    resumed,
    finished: false,
    recordsTotal: total,
    recordsDone: Number(run.records_done),
    comparedCount: 0,
    recordsWithoutBlock: 0,
    pairsFound: Number(run.pairs_found),
    pairsNew: Number(run.pairs_new),
    samePerson: 0,
    possibleDuplicate: 0,
    startedAt: run.started_at,
    finishedAt: null,
  };
  const index = createDedupIndex();
  const cursor = run.cursor ?? '';
  let after = '';
  let scoredThisSession = 0;
  let seen = 0;
  for (;;) {
    const page = await app.db.kysely
      .selectFrom('persons')
      .select(matchColumns)
      .where('id', '>', after)
      .orderBy('id')
      .limit(pageRows)
      .execute();
    const last = page.at(-1);
    if (!last) break;
    after = last.id;
    const pairs: ScoredPair[] = [];
    let scored = 0;
    for (const row of page) {
      if (row.status === 'merged') continue;
      seen++;
      const record = matchRecordOf(row, documentAttribute);
      if (row.id > cursor) {
        const check = checkEnrolment(index, record, matchOptions);
        report.comparedCount += check.comparedCount;
        if (check.withoutBlock) report.recordsWithoutBlock++;
        pairs.push(...check.candidates);
        scored++;
      }
      index.add(record);
    }
    if (scored > 0) {
      await app.db.transaction(async (trx) => {
        const stored = await insertPairs(trx, app, pairs, 'batch', run.id);
        report.recordsDone += scored;
        report.pairsFound += pairs.length;
        report.pairsNew += stored.length;
        await trx
          .updateTable('dedup_runs')
          .set({
            cursor: last.id,
            records_done: report.recordsDone,
            pairs_found: report.pairsFound,
            pairs_new: report.pairsNew,
          })
          .where('id', '=', run.id)
          .execute();
        if (stored.length > 0) {
          await appendAudit(trx, app, caller, {
            operation: 'dedup.flag',
            permission: 'dedup:review',
            subjectIds: stored.flatMap((p) => [p.left_id, p.right_id]),
            details: { runId: run.id, pairIds: stored.map((p) => p.id), source: 'batch' },
          });
        }
      });
      scoredThisSession += scored;
    }
    options.onProgress?.(Math.min(seen, total), total);
    if (options.stopAfterRecords !== undefined && scoredThisSession >= options.stopAfterRecords)
      return report;
    if (page.length < pageRows) break;
  }
  report.finished = true;
  report.finishedAt = app.now().toISOString();
  const byOutcome = await app.db.kysely
    .selectFrom('dedup_pairs')
    .select(['outcome', (eb) => eb.fn.countAll<number>().as('n')])
    .where('source_id', '=', run.id)
    .groupBy('outcome')
    .execute();
  for (const o of byOutcome)
    report[o.outcome === 'same_person' ? 'samePerson' : 'possibleDuplicate'] = Number(o.n);
  await app.db.transaction(async (trx) => {
    await trx
      .updateTable('dedup_runs')
      .set({ status: 'finished', finished_at: report.finishedAt, summary: JSON.stringify(report) })
      .where('id', '=', run.id)
      .execute();
    await appendAudit(trx, app, caller, {
      operation: 'dedup.run.finish',
      permission: 'dedup:review',
      details: { runId: run.id, recordsDone: report.recordsDone, pairsNew: report.pairsNew },
    });
  });
  return report;
}
