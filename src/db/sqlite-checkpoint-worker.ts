// The WAL checkpointer's thread (sqlite-checkpointer.ts): its own connection to the database
// file, copying committed pages from the WAL into the database every few hundred
// milliseconds, so that no request's commit has to.
import BetterSqlite3 from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

const { path, intervalMs } = workerData as { path: string; intervalMs: number };
const db = new BetterSqlite3(path, { fileMustExist: true });
// Not waiting for a lock: a checkpoint that cannot run now runs at the next tick.
db.pragma('busy_timeout = 0');
// The copy into the database file is fsynced before the WAL may be reused.
db.pragma('synchronous = FULL');
const checkpoint = db.prepare('pragma wal_checkpoint(PASSIVE)');

const timer = setInterval(() => {
  try {
    const [row] = checkpoint.all() as { busy: number; log: number; checkpointed: number }[];
    parentPort?.postMessage({ kind: 'checkpointed', ...row });
  } catch (e) {
    // SQLITE_BUSY (another checkpoint under way) is ordinary; anything else is reported.
    const code = (e as { code?: string }).code;
    if (code !== 'SQLITE_BUSY' && code !== 'SQLITE_LOCKED')
      parentPort?.postMessage({ kind: 'error', message: String(e) });
  }
}, intervalMs);

parentPort?.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort?.postMessage({ kind: 'stopped' });
});
