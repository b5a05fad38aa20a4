// Runs `VACUUM INTO` off the main thread, so that the command can report the copy's progress
// while better-sqlite3, which is synchronous, writes it.
import BetterSqlite3 from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

const { source, target } = workerData as { source: string; target: string };
const db = new BetterSqlite3(source, { fileMustExist: true });
try {
  // A writer holding the lock at the moment the read begins is waited for, not failed.
  db.pragma('busy_timeout = 10000');
  db.prepare('vacuum into ?').run(target);
} finally {
  db.close();
}
parentPort?.postMessage('done');
