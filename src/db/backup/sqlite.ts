// SQLite backup and restore. The backup is `VACUUM INTO` on a connection of its own: one read
// transaction, so the copy is the database as of one commit, while the server goes on writing
// (in WAL mode a reader never blocks the writer; the WAL only grows until the copy ends).
// The copy is compacted, fsynced and checksummed; restore verifies it, checks it with
// `pragma quick_check`, and only then renames it into place, so a failed restore leaves
// nothing where the database would be.
import BetterSqlite3 from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { startWorker } from '../../shared/worker';
import { DomainError } from '../../shared/errors';
import type { Progress } from './manifest';

/** The file a SQLite backup holds. */
export const sqliteBackupFile = 'tessera.db';

/** The file path a SQLite database URL names. */
export function sqlitePath(url: string): string {
  const path = url.replace(/^sqlite:(\/\/)?/, '');
  if (path === ':memory:')
    throw new DomainError(
      'VALIDATION_FAILED',
      'an in-memory database has nothing to back up',
      'TESSERA_DATABASE_URL',
    );
  return path;
}

/** Flushes a file (or a folder's entries) to the disk. */
export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The migrations applied in a SQLite database file, in order. */
export function sqliteMigrations(path: string): string[] {
  const db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  try {
    return (
      db.prepare('select name from kysely_migration order by name').all() as { name: string }[]
    ).map((r) => r.name);
  } finally {
    db.close();
  }
}

/** Copies the live database at `source` into `dir/tessera.db`, reporting bytes written. */
export async function backupSqlite(
  source: string,
  dir: string,
  progress?: Progress,
): Promise<void> {
  if (!existsSync(source))
    throw new DomainError('NOT_FOUND', `no SQLite database at ${source}`, 'TESSERA_DATABASE_URL');
  const target = join(dir, sqliteBackupFile);
  const probe = new BetterSqlite3(source, { readonly: true, fileMustExist: true });
  const pages = Number(probe.pragma('page_count', { simple: true }));
  const free = Number(probe.pragma('freelist_count', { simple: true }));
  const pageSize = Number(probe.pragma('page_size', { simple: true }));
  probe.close();
  const total = Math.max(1, (pages - free) * pageSize);
  const worker = startWorker(new URL('./vacuum-worker.ts', import.meta.url), {
    source,
    target,
  });
  // The copy's size as it grows is the progress (VACUUM INTO writes the pages in order).
  const timer = setInterval(() => {
    if (existsSync(target)) progress?.(Math.min(statSync(target).size, total), total);
  }, 1000);
  try {
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
      worker.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`the copy stopped (worker exit code ${code})`)),
      );
    });
  } finally {
    clearInterval(timer);
  }
  progress?.(total, total);
  fsyncPath(target);
}

/**
 * Puts the verified backup file `from` at `target`, which must not exist: copied beside it
 * under a temporary name, fsynced, checked, then renamed. Anything that fails removes the copy.
 */
export function restoreSqlite(from: string, target: string): void {
  for (const path of [target, `${target}-wal`])
    if (existsSync(path))
      throw new DomainError(
        'ALREADY_EXISTS',
        `${path} exists: restore writes only to a new place (move the old database aside first)`,
        path,
      );
  mkdirSync(dirname(target), { recursive: true });
  const temp = join(
    dirname(target),
    `.${basename(target)}.restoring-${randomBytes(4).toString('hex')}`,
  );
  try {
    copyFileSync(from, temp);
    fsyncPath(temp);
    const db = new BetterSqlite3(temp, { fileMustExist: true });
    try {
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok')
        throw new DomainError(
          'VALIDATION_FAILED',
          `the backup's database fails its integrity check: ${String(check)}`,
          from,
        );
      // The server runs in WAL mode; set it here so the first start needs no exclusive lock.
      db.pragma('journal_mode = WAL');
    } finally {
      db.close();
    }
    renameSync(temp, target);
    fsyncPath(dirname(target));
  } finally {
    for (const path of [temp, `${temp}-wal`, `${temp}-shm`]) rmSync(path, { force: true });
  }
}
