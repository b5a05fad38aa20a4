// `tessera dedup run`: scan the whole registry once and fill the review queue.
//
// The scan reads the key table (dedup_block_keys) block by block in key order (block-scan.ts):
// its memory is one page of key rows and the records of that page's blocks, not an index of
// the registry. It first keys any person not keyed yet (as `tessera dedup keys` does). Each
// pair is put forward once, from the first block it shares in key order. After each page the
// new pairs and the run's cursor (the last key of the page) are written in one transaction: a
// run that stops — crash, Ctrl-C, a limit — resumes from the cursor, re-reading the key rows
// before it (not the records) to know which blocks were too big, and the queue never holds a
// pair twice.
import { availableParallelism } from 'node:os';
import { regionsFor } from '../shared/access';
import { appendAudit } from '../privacy';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { scorer } from './match';
import { ScanPool } from './scan-pool';
import { preparedRecordsOf, putForward, scorePage, type PageScore } from './scan-scoring';
import { insertPairs } from './store';
import { keyRegistry } from './stored-keys';
import { personMatchRows } from './person-record';
import {
  OversizedBlocks,
  partsOfKey,
  readKeyPage,
  type KeyPage,
  type ScanBlockStats,
} from './block-scan';

/** Key rows read per page, and per stored cursor step. */
export const batchPageRows = 20_000;

/** The stored cursor of a scan by key: `key:` and the last key whose blocks are done. */
const cursorPrefix = 'key:';

/** Options of a run. */
export interface DedupRunOptions {
  /** Abandon an unfinished run and start afresh instead of resuming it. */
  restart?: boolean;
  /**
   * Key rows scanned so far, of the total (for a progress bar): first where this session
   * starts (0, or what a resumed run did before), then after each page written.
   */
  onProgress?: (done: number, total: number) => void;
  /** Stop after about this many key rows (whole pages); the run stays resumable. */
  stopAfterKeyRows?: number;
  /** Key rows per page (whole blocks: a page may hold a few less, or one larger block). */
  pageRows?: number;
  /**
   * Worker threads that prepare and compare (1: all on the calling thread). Default: one per
   * core, at most scanThreadsMax, when at least parallelKeyRowsMin key rows are left to
   * scan, else 1.
   */
  threads?: number;
}

/** Key rows left to scan from which a run starts worker threads by default. */
export const parallelKeyRowsMin = 100_000;

/** Worker threads at most by default (each holds a connection and its page cache). */
export const scanThreadsMax = 8;

/** What a run did; also stored, as JSON, on the run record. */
export interface DedupRunReport {
  runId: string;
  resumed: boolean;
  finished: boolean;
  recordsTotal: number;
  /**
   * Records scanned, over every session of this run: all of them once finished, before that
   * the records' share of the key rows scanned (a record's blocks are spread over the keys).
   */
  recordsDone: number;
  /** Key rows in the table, and those scanned over every session of this run. */
  keyRowsTotal: number;
  keyRowsDone: number;
  /** Pairs compared in this session (a pair sharing several blocks is compared in each). */
  comparedCount: number;
  /** Blocks of this session too big for their cap, split; parts still too big, left out. */
  blocksSplit: number;
  blocksDropped: number;
  /** Key rows in the parts left out this session (their persons may have other blocks). */
  keyRowsLeftOut: number;
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
  // A run stopped by a version that scanned by person id cannot resume by key: start afresh.
  const resumable = latest && (latest.cursor === null || latest.cursor.startsWith(cursorPrefix));
  if (latest && resumable && !restart) return { run: latest, resumed: true };
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
  const documentAttribute = app.dedup?.documentAttribute ?? null;
  // Persons written by paths that do not screen are keyed first (resumable on its own).
  await keyRegistry(app.db, documentAttribute);
  const { rows: keyRowCount } = await app.db.kysely
    .selectFrom('dedup_block_keys')
    .select((eb) => eb.fn.countAll<number>().as('rows'))
    .executeTakeFirstOrThrow();
  const keyRowsTotal = Number(keyRowCount);
  const { run, resumed } = await openRun(app, caller, options.restart ?? false, total);
  const pageRows = options.pageRows ?? batchPageRows;
  const score = scorer(app.dedup?.matchOptions ?? {});
  const keyRowsAtStart = resumed ? Number(run.records_done) : 0;
  const report: DedupRunReport = {
    runId: run.id,
    resumed,
    finished: false,
    recordsTotal: total,
    recordsDone: 0,
    keyRowsTotal,
    keyRowsDone: keyRowsAtStart,
    comparedCount: 0,
    blocksSplit: 0,
    blocksDropped: 0,
    keyRowsLeftOut: 0,
    pairsFound: Number(run.pairs_found),
    pairsNew: Number(run.pairs_new),
    samePerson: 0,
    possibleDuplicate: 0,
    startedAt: run.started_at,
    finishedAt: null,
  };
  const estimateRecords = (): number =>
    Math.min(total, Math.floor((total * report.keyRowsDone) / Math.max(1, keyRowsTotal)));
  report.recordsDone = estimateRecords();
  const oversized = new OversizedBlocks();
  const stats: ScanBlockStats = { blocksSplit: 0, blocksDropped: 0, keyRowsLeftOut: 0 };
  let after = -1;
  if (run.cursor !== null) {
    // Resuming: the blocks before the cursor were scored; re-read their key rows (only) to
    // know which of them were too big, which decides where a pair was put forward.
    const cursor = Number(run.cursor.slice(cursorPrefix.length));
    const ignored: ScanBlockStats = { blocksSplit: 0, blocksDropped: 0, keyRowsLeftOut: 0 };
    for (;;) {
      const page = await readKeyPage(app.db.kysely, after, pageRows, cursor);
      if (page === undefined) break;
      for (const block of page.blocks) partsOfKey(block.key, block.rows, oversized, ignored);
      after = page.lastKey;
      if (page.isLast) break;
    }
    after = cursor;
  }
  const threads =
    options.threads ??
    (keyRowsTotal - keyRowsAtStart >= parallelKeyRowsMin
      ? Math.min(availableParallelism(), scanThreadsMax)
      : 1);
  const pool =
    threads > 1
      ? ScanPool.start(threads, app.dedup?.matchOptions ?? {}, documentAttribute, app.db.url)
      : undefined;
  // Pages in flight, oldest first: read and handed to a worker, written in key order.
  const inFlight: { page: KeyPage; scored: Promise<PageScore> }[] = [];
  const inFlightMax = threads + 1;
  let rowsThisSession = 0;
  let stopped = false;
  // Where this session starts, before any page: what a resumed run did before.
  options.onProgress?.(Math.min(report.keyRowsDone, keyRowsTotal), keyRowsTotal);
  const writeOldest = async (): Promise<void> => {
    const { page, scored } = inFlight.shift()!;
    const { candidates, compared } = await scored;
    // `oversized` may hold blocks of pages read since; only smaller keys are looked up.
    const pairs = putForward(candidates, oversized);
    report.comparedCount += compared;
    await app.db.transaction(async (trx) => {
      const stored = await insertPairs(trx, app, pairs, 'batch', run.id);
      report.keyRowsDone += page.rowCount;
      report.recordsDone = estimateRecords();
      report.pairsFound += pairs.length;
      report.pairsNew += stored.length;
      await trx
        .updateTable('dedup_runs')
        .set({
          cursor: `${cursorPrefix}${page.lastKey}`,
          records_done: report.keyRowsDone,
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
    options.onProgress?.(Math.min(report.keyRowsDone, keyRowsTotal), keyRowsTotal);
  };
  try {
    for (;;) {
      const page = await readKeyPage(app.db.kysely, after, pageRows);
      if (page === undefined) break;
      const parts = page.blocks.flatMap((block) =>
        partsOfKey(block.key, block.rows, oversized, stats),
      );
      let scored: Promise<PageScore>;
      if (pool?.readsRows) scored = pool.score(parts);
      else {
        const ids = [...new Set(parts.flatMap((p) => p.ids))];
        const rows = [...(await personMatchRows(app.db.kysely, app.db.engine, ids)).values()];
        scored = pool
          ? pool.score(parts, rows)
          : Promise.resolve(scorePage(parts, preparedRecordsOf(rows, documentAttribute), score));
      }
      // A failed page must not go unobserved while older ones are written.
      scored.catch(() => {});
      inFlight.push({ page, scored });
      rowsThisSession += page.rowCount;
      after = page.lastKey;
      if (inFlight.length >= inFlightMax) await writeOldest();
      if (page.isLast) break;
      if (options.stopAfterKeyRows !== undefined && rowsThisSession >= options.stopAfterKeyRows) {
        stopped = true;
        break;
      }
    }
    while (inFlight.length > 0) await writeOldest();
  } finally {
    await pool?.close();
  }
  Object.assign(report, stats);
  if (stopped) return report;
  report.recordsDone = total;
  report.keyRowsDone = keyRowsTotal;
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
