// `tessera backup` and `tessera restore` below the command line: a backup folder is made under
// a temporary name and renamed into place only when its manifest is written, so a backup that
// fails leaves nothing that looks like one; a restore checks the whole backup before it writes.
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DomainError } from '../../shared/errors';
import { engineOf } from '../open-database';
import {
  describeFile,
  manifestName,
  manifestText,
  readManifest,
  verifyFiles,
  type BackupFile,
  type BackupManifest,
  type BackupMethod,
  type Progress,
} from './manifest';
import {
  backupPgBase,
  backupPgDump,
  checkReplicationRight,
  pgDumpFile,
  pgMigrations,
  restorePgBase,
  restorePgDump,
  type RecoveryTarget,
} from './postgres';
import {
  backupSqlite,
  fsyncPath,
  restoreSqlite,
  sqliteBackupFile,
  sqliteMigrations,
  sqlitePath,
} from './sqlite';

export type { BackupManifest, BackupMethod } from './manifest';

/** What a long step tells the person running it. */
export interface BackupReporter {
  /** Bytes (or pages) done of a total, for a progress bar; `label` names the step. */
  progress?: (label: string, done: number, total: number) => void;
  /** A line of a PostgreSQL program's own progress. */
  line?: (text: string) => void;
}

/** What to back up, and where. */
export interface BackupRequest {
  databaseUrl: string;
  /** The backup folder to create; it must not exist. */
  to: string;
  /** PostgreSQL: pg_dump instead of pg_basebackup. */
  logical?: boolean;
  now?: () => Date;
}

const progressOf = (reporter: BackupReporter | undefined, label: string): Progress | undefined =>
  reporter?.progress ? (done, total) => reporter.progress!(label, done, total) : undefined;

/** Takes an online backup of the database into a new folder; returns its manifest. */
export async function createBackup(
  request: BackupRequest,
  reporter?: BackupReporter,
): Promise<BackupManifest> {
  const now = request.now ?? (() => new Date());
  const to = resolve(request.to);
  if (existsSync(to))
    throw new DomainError(
      'ALREADY_EXISTS',
      `${to} exists: a backup is written to a new folder only`,
      'to',
    );
  const engine = engineOf(request.databaseUrl);
  if (engine === 'sqlite' && request.logical)
    throw new DomainError(
      'VALIDATION_FAILED',
      '--logical is for PostgreSQL; a SQLite backup is already a consistent copy',
      'logical',
    );
  mkdirSync(dirname(to), { recursive: true });
  const work = join(dirname(to), `.${basename(to)}.partial-${randomBytes(4).toString('hex')}`);
  mkdirSync(work, { mode: 0o700 });
  try {
    const startedAt = now().toISOString();
    let method: BackupMethod;
    let names: string[];
    let migrations: string[];
    let wal: BackupManifest['wal'];
    if (engine === 'sqlite') {
      method = 'sqlite-vacuum-into';
      await backupSqlite(sqlitePath(request.databaseUrl), work, progressOf(reporter, 'copy'));
      names = [sqliteBackupFile];
      // Read from the copy itself: exactly the schema the copy holds.
      migrations = sqliteMigrations(join(work, sqliteBackupFile));
    } else {
      const before = await pgMigrations(request.databaseUrl);
      if (request.logical) {
        method = 'pg-dump';
        await backupPgDump(request.databaseUrl, work, reporter?.line);
        names = [pgDumpFile];
      } else {
        await checkReplicationRight(request.databaseUrl);
        method = 'pg-basebackup';
        const base = await backupPgBase(request.databaseUrl, work, reporter?.line);
        names = base.files;
        wal = { startLsn: base.startLsn, timeline: base.timeline };
      }
      migrations = await pgMigrations(request.databaseUrl);
      if (migrations.join() !== before.join())
        throw new DomainError(
          'CONFLICT',
          'migrations ran while the backup was taken: take it again',
          'schema',
        );
    }
    if (migrations.length === 0)
      throw new DomainError(
        'VALIDATION_FAILED',
        'the database has no Tessera schema (no migration applied): nothing to back up',
        'TESSERA_DATABASE_URL',
      );
    // The copy holds every person's record: readable by its owner only, like the key files.
    for (const name of names) chmodSync(join(work, name), 0o600);
    const files: BackupFile[] = [];
    const sums = progressOf(reporter, 'checksum');
    const total = names.reduce((n, name) => n + statSync(join(work, name)).size, 0);
    let done = 0;
    for (const name of names)
      files.push(await describeFile(work, name, (bytes) => sums?.((done += bytes), total)));
    const manifest = JSON.parse(
      manifestText({
        engine,
        method,
        startedAt,
        finishedAt: now().toISOString(),
        schemaVersion: migrations[migrations.length - 1]!,
        migrationsApplied: migrations.length,
        files,
        ...(wal ? { wal } : {}),
      }),
    ) as BackupManifest;
    writeFileSync(join(work, manifestName), manifestText(manifest), { mode: 0o600 });
    fsyncPath(join(work, manifestName));
    renameSync(work, to);
    fsyncPath(dirname(to));
    return manifest;
  } catch (e) {
    rmSync(work, { recursive: true, force: true });
    throw e;
  }
}

/** What to restore, and into what. */
export interface RestoreRequest {
  /** The backup folder. */
  from: string;
  /** SQLite and logical PostgreSQL backups: the new database (a file path or an empty database's URL). */
  databaseUrl?: string;
  /** PostgreSQL base backups: the new data directory. */
  dataDir?: string;
  /** PostgreSQL base backups: replay archived WAL (to a time) after the base. */
  recovery?: RecoveryTarget;
  /** Every migration this Tessera knows: a backup of a newer schema is refused. */
  knownMigrations: readonly string[];
}

/** Verifies a backup whole, then restores it to a new place; returns its manifest. */
export async function restoreBackup(
  request: RestoreRequest,
  reporter?: BackupReporter,
): Promise<BackupManifest> {
  const from = resolve(request.from);
  const manifest = readManifest(from);
  if (!request.knownMigrations.includes(manifest.schemaVersion))
    throw new DomainError(
      'VALIDATION_FAILED',
      `the backup holds schema version ${manifest.schemaVersion}, which this Tessera does not know: restore it with the version that made it, or a newer one`,
      `${join(from, manifestName)}: schemaVersion`,
    );
  const engineName = { sqlite: 'SQLite', postgres: 'PostgreSQL' } as const;
  if (manifest.method === 'pg-basebackup') {
    if (!request.dataDir)
      throw new DomainError(
        'VALIDATION_FAILED',
        'this is a PostgreSQL base backup: name the new data directory with --data-dir',
        'data-dir',
      );
  } else {
    const url = request.databaseUrl;
    if (!url)
      throw new DomainError(
        'VALIDATION_FAILED',
        'name the database to restore into with --to',
        'to',
      );
    if (engineOf(url) !== manifest.engine)
      throw new DomainError(
        'VALIDATION_FAILED',
        `this is a ${engineName[manifest.engine]} backup; it cannot be restored into ${engineName[engineOf(url)]}`,
        'to',
      );
  }
  if (request.recovery && manifest.method !== 'pg-basebackup')
    throw new DomainError(
      'VALIDATION_FAILED',
      'point-in-time recovery needs a PostgreSQL base backup',
      'wal-archive',
    );
  await verifyFiles(from, manifest, progressOf(reporter, 'verify'));
  if (manifest.method === 'sqlite-vacuum-into') {
    restoreSqlite(join(from, sqliteBackupFile), sqlitePath(request.databaseUrl!));
  } else if (manifest.method === 'pg-dump') {
    await restorePgDump(join(from, pgDumpFile), request.databaseUrl!, reporter?.line);
  } else {
    await restorePgBase(from, resolve(request.dataDir!), request.recovery);
  }
  return manifest;
}
