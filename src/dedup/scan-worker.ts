// A worker thread of the registry-wide scan (scan-pool.ts): it keeps its own copy of the
// blocks found too big, kept current by the main thread's messages, and scores the pages it
// is given — reading the persons' rows on its own connection (or taking them from the main
// thread, for a database only the main thread can open), preparing, comparing, and putting
// pairs forward. Messages are handled strictly in the order they came.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase, type Database } from '../db';
import { OversizedBlocks, type BlockPart, type OversizedChanges } from './block-scan';
import { scorer, type MatchOptions } from './match';
import { personMatchRows, type PersonMatchRow } from './person-record';
import { preparedRecordsOf, scorePage } from './scan-scoring';

/** What the main thread starts a worker with. */
export interface ScanWorkerInput {
  readonly options: MatchOptions;
  readonly documentAttribute: string | null;
  /** The database to read persons from; without it, each page brings its rows. */
  readonly databaseUrl?: string;
}

/** A message to a worker: more blocks found too big, a page to score, or the end. */
export type ScanWorkerMessage =
  | { readonly type: 'oversized'; readonly changes: OversizedChanges }
  | {
      readonly type: 'score';
      readonly job: number;
      readonly parts: readonly BlockPart[];
      readonly rows?: readonly PersonMatchRow[];
    }
  | { readonly type: 'close' };

/** A worker's answer to a page. */
export type ScanWorkerReply =
  | { readonly job: number; readonly pairs: unknown[]; readonly compared: number }
  | { readonly job: number; readonly error: string };

const input = workerData as ScanWorkerInput;
const score = scorer(input.options);
const oversized = new OversizedBlocks();
let database: Promise<Database> | undefined;

async function rowsOf(parts: readonly BlockPart[]): Promise<Iterable<PersonMatchRow>> {
  if (input.databaseUrl === undefined) throw new Error('a page came without its rows');
  database ??= openDatabase({ url: input.databaseUrl, poolSizeMax: 1 });
  const db = await database;
  const ids = [...new Set(parts.flatMap((p) => p.ids))];
  return (await personMatchRows(db.kysely, db.engine, ids)).values();
}

async function handle(message: ScanWorkerMessage): Promise<void> {
  if (message.type === 'oversized') {
    oversized.apply(message.changes);
    return;
  }
  if (message.type === 'close') {
    await (await database)?.close();
    parentPort?.close();
    return;
  }
  let reply: ScanWorkerReply;
  try {
    const rows = message.rows ?? (await rowsOf(message.parts));
    const records = preparedRecordsOf(rows, input.documentAttribute);
    const { pairs, compared } = scorePage(message.parts, records, score, oversized);
    reply = { job: message.job, pairs, compared };
  } catch (error) {
    reply = {
      job: message.job,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
  }
  parentPort?.postMessage(reply);
}

let queue = Promise.resolve();
parentPort?.on('message', (message: ScanWorkerMessage) => {
  queue = queue.then(() => handle(message));
});
