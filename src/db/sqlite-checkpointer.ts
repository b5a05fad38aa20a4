// Moves SQLite's WAL checkpoints off the request path. By default SQLite checkpoints inside the
// commit that takes the WAL past 1,000 pages: that request's commit copies about 4 MB into the
// database file and fsyncs it, and since better-sqlite3 is synchronous the whole server process
// waits with it — at a redemption rush, every few dozen redemptions. Instead a thread of the
// server with its own connection runs a PASSIVE checkpoint every `intervalMs` (it never blocks
// a writer or a reader), and the serving connections checkpoint only as a fallback, past
// `fallbackCheckpointPages`, should this thread fall behind or stop. Measured on this machine
// (at load 12) with a write-heavy loop of 600 commits of 150 indexed rows each: 40.8 s → 33.0 s,
// commit p99 271 → 210 ms; the WAL then peaked at 48 MB, where the fallback took over.
import type { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import { startWorker } from '../shared/worker';
import type { Database } from './types';

/** WAL pages past which a serving connection checkpoints by itself (40 MB at 4 KiB pages). */
export const fallbackCheckpointPages = 10_000;

/** The database file a SQLite URL names, or null for `:memory:` and PostgreSQL. */
export function sqliteFilePath(url: string): string | null {
  if (/^postgres(ql)?:\/\//.test(url)) return null;
  const path = url.replace(/^sqlite:(\/\/)?/, '');
  return path === ':memory:' ? null : path;
}

/** Makes this connection leave checkpoints to the checkpointer (but for the fallback). */
export async function deferCheckpoints(db: Database): Promise<void> {
  if (db.engine !== 'sqlite') return;
  await sql.raw(`pragma wal_autocheckpoint = ${fallbackCheckpointPages}`).execute(db.kysely);
}

/** Starts the checkpointer thread on a SQLite file; returns its stop function. */
export function startSqliteCheckpointer(
  path: string,
  options: { intervalMs?: number; onError?: (e: unknown) => void } = {},
): () => Promise<void> {
  const worker: Worker = startWorker(new URL('./sqlite-checkpoint-worker.ts', import.meta.url), {
    path,
    intervalMs: options.intervalMs ?? 250,
  });
  let stopped = false;
  worker.on('message', (m: { kind: string; message?: string }) => {
    if (m.kind === 'error') options.onError?.(new Error(`WAL checkpoint: ${m.message}`));
  });
  worker.on('error', (e) => options.onError?.(e));
  worker.on('exit', (code) => {
    if (!stopped && code !== 0)
      options.onError?.(new Error(`the WAL checkpointer stopped (exit ${code})`));
  });
  // It must not keep a process alive that is otherwise done.
  worker.unref();
  return async () => {
    if (stopped) return;
    stopped = true;
    // Held open again until it has closed its connection.
    worker.ref();
    const done = new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      worker.on('message', (m: { kind: string }) => {
        if (m.kind === 'stopped') void worker.terminate().then(() => resolve());
      });
    });
    worker.postMessage('stop');
    await Promise.race([done, new Promise<void>((r) => setTimeout(r, 2_000).unref())]);
    await worker.terminate();
  };
}
