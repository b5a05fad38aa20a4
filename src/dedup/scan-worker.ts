// A worker thread of the registry-wide scan (scan-pool.ts): it scores the pages it is given —
// reading the persons' rows on its own connection (or taking them from the main thread, for
// a database only the main thread can open), preparing and comparing them — and sends back
// the matches with the smaller keys each pair shares; the main thread, which knows the blocks
// found too big, decides which to put forward. Messages are handled in the order they came.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase, type Database } from '../db';
import type { BlockPart } from './block-scan';
import { scorer, type MatchOptions } from './match';
import { personMatchRows, type PersonMatchRow } from './person-record';
import { preparedRecordsOf, scorePage, type PageScore } from './scan-scoring';

/** What the main thread starts a worker with. */
export interface ScanWorkerInput {
  readonly options: MatchOptions;
  readonly documentAttribute: string | null;
  /** The database to read persons from; without it, each page brings its rows. */
  readonly databaseUrl?: string;
}

/** A message to a worker: a page to score, or the end. */
export type ScanWorkerMessage =
  | {
      readonly type: 'score';
      readonly job: number;
      readonly parts: readonly BlockPart[];
      readonly rows?: readonly PersonMatchRow[];
    }
  | { readonly type: 'close' };

/** A worker's answer to a page. */
export type ScanWorkerReply =
  ({ readonly job: number } & PageScore) | { readonly job: number; readonly error: string };

const input = workerData as ScanWorkerInput;
const score = scorer(input.options);
let database: Promise<Database> | undefined;

async function rowsOf(parts: readonly BlockPart[]): Promise<Iterable<PersonMatchRow>> {
  if (input.databaseUrl === undefined) throw new Error('a page came without its rows');
  database ??= openDatabase({ url: input.databaseUrl, poolSizeMax: 1 });
  const db = await database;
  const ids = [...new Set(parts.flatMap((p) => p.ids))];
  return (await personMatchRows(db.kysely, db.engine, ids)).values();
}

async function handle(message: ScanWorkerMessage): Promise<void> {
  if (message.type === 'close') {
    try {
      await (await database)?.close();
    } finally {
      parentPort?.close();
    }
    return;
  }
  let reply: ScanWorkerReply;
  try {
    const rows = message.rows ?? (await rowsOf(message.parts));
    const records = preparedRecordsOf(rows, input.documentAttribute);
    reply = { job: message.job, ...scorePage(message.parts, records, score) };
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
