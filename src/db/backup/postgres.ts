// PostgreSQL backup and restore, two ways.
//   - Physical (the default): `pg_basebackup -F tar -X stream`, a copy of the whole cluster as
//     of the end of the backup, with the WAL it needs streamed beside it, taken while the
//     server takes writes. With WAL archiving (README, Backup and restore) it is the base a
//     point-in-time recovery replays the archive onto. It needs a role with REPLICATION and a
//     `replication` line for it in pg_hba.conf; restore writes a new data directory.
//   - Logical (`--logical`): `pg_dump -F custom`, one consistent snapshot of this database,
//     for a role without replication rights (a managed database, a separate schema); restore
//     loads it into an empty database in one transaction, so a failure leaves it empty.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  writeFileSync,
  appendFileSync,
  chmodSync,
} from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { DomainError } from '../../shared/errors';
import { pgProgram, runProgram, splitPassword } from './pg-tools';

/** The file a logical backup holds, and the folder a base backup's tar files are in. */
export const pgDumpFile = 'tessera.dump';
export const pgBaseFolder = 'base';

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The migrations applied in the database, in order (none in an empty one). */
export async function pgMigrations(url: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ exists: boolean }>(
      `select to_regclass('kysely_migration') is not null as exists`,
    );
    if (!rows[0]?.exists) return [];
    const names = await client.query<{ name: string }>(
      'select name from kysely_migration order by name',
    );
    return names.rows.map((r) => r.name);
  });
}

/** Refuses, saying how to fix it, when the role may not take a base backup. */
export async function checkReplicationRight(url: string): Promise<void> {
  const role = await withClient(url, async (client) => {
    const { rows } = await client.query<{ name: string; ok: boolean }>(
      'select rolname as name, rolreplication or rolsuper as ok from pg_roles where rolname = current_user',
    );
    return rows[0];
  });
  if (!role?.ok)
    throw new DomainError(
      'FORBIDDEN',
      `role ${role?.name ?? '?'} may not take a base backup: grant it (ALTER ROLE ${role?.name ?? '…'} REPLICATION) and allow it a replication line in pg_hba.conf, or take a logical backup with --logical`,
      'TESSERA_DATABASE_URL',
    );
}

/**
 * A base backup of the cluster into `dir/base` (base.tar, pg_wal.tar, backup_manifest);
 * pg_basebackup's progress lines go to `onLine`. Returns the WAL start point.
 */
export async function backupPgBase(
  url: string,
  dir: string,
  onLine?: (line: string) => void,
): Promise<{ startLsn: string; timeline: number; files: string[] }> {
  const { url: bare, password } = splitPassword(url);
  const out = join(dir, pgBaseFolder);
  let start: { startLsn: string; timeline: number } | undefined;
  await runProgram(
    pgProgram('pg_basebackup'),
    [
      '-d',
      bare,
      '-D',
      out,
      '-F',
      'tar',
      '-X',
      'stream',
      '-c',
      'fast',
      '-P',
      '-v',
      '-w',
      '-l',
      'tessera backup',
    ],
    {
      password,
      onLine: (line) => {
        const m = /write-ahead log start point: ([0-9A-F]+\/[0-9A-F]+) on timeline (\d+)/.exec(
          line,
        );
        if (m) start = { startLsn: m[1]!, timeline: Number(m[2]) };
        onLine?.(line);
      },
    },
  );
  if (!start)
    throw new DomainError(
      'INTERNAL',
      'pg_basebackup did not report its WAL start point',
      'pg_basebackup',
    );
  const files = readdirSync(out)
    .sort()
    .map((name) => `${pgBaseFolder}/${name}`);
  return { ...start, files };
}

/** A logical backup of the database into `dir/tessera.dump`; pg_dump's lines go to `onLine`. */
export async function backupPgDump(
  url: string,
  dir: string,
  onLine?: (line: string) => void,
): Promise<void> {
  const { url: bare, password } = splitPassword(url);
  await runProgram(
    pgProgram('pg_dump'),
    ['-d', bare, '-F', 'custom', '-f', join(dir, pgDumpFile), '-v', '-w'],
    {
      password,
      onLine,
    },
  );
}

/** Loads a verified dump into the database at `url`, which must hold no table yet. */
export async function restorePgDump(
  file: string,
  url: string,
  onLine?: (line: string) => void,
): Promise<void> {
  const tables = await withClient(url, async (client) => {
    const { rows } = await client.query<{ n: string }>(
      `select count(*) as n from information_schema.tables where table_schema = current_schema()`,
    );
    return Number(rows[0]?.n ?? 0);
  });
  if (tables > 0)
    throw new DomainError(
      'ALREADY_EXISTS',
      `the target database already holds ${tables} tables: restore writes only into an empty database (createdb a new one)`,
      'to',
    );
  const { url: bare, password } = splitPassword(url);
  await runProgram(
    pgProgram('pg_restore'),
    [
      '-d',
      bare,
      '--single-transaction',
      '--exit-on-error',
      '--no-owner',
      '--no-privileges',
      '-v',
      '-w',
      file,
    ],
    { password, onLine },
  );
}

/**
 * A time as PostgreSQL's recovery settings read it: `2026-12-03 13:10:15.030+00`. The
 * recovery_target_time check refuses ISO 8601's `T…Z` form, which is what people type.
 */
function pgTimestamp(time: string): string {
  return new Date(time).toISOString().replace('T', ' ').replace('Z', '+00');
}

/** Where a point-in-time recovery reads archived WAL from, and where it stops. */
export interface RecoveryTarget {
  walArchive: string;
  /** An ISO 8601 time with its zone; recovery stops before the first commit after it. */
  targetTime?: string;
}

/**
 * Writes a new data directory from a verified base backup: the base tar, its streamed WAL,
 * and, for a point-in-time recovery, `recovery.signal` and the recovery settings. The folder
 * must be new or empty; on failure it is removed again. Start PostgreSQL on it afterwards.
 */
export async function restorePgBase(
  backupDir: string,
  dataDir: string,
  target?: RecoveryTarget,
): Promise<void> {
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0)
    throw new DomainError(
      'ALREADY_EXISTS',
      `${dataDir} is not empty: restore writes a new data directory only`,
      dataDir,
    );
  if (target && !existsSync(target.walArchive))
    throw new DomainError('NOT_FOUND', `no WAL archive at ${target.walArchive}`, target.walArchive);
  if (target?.targetTime !== undefined && Number.isNaN(Date.parse(target.targetTime)))
    throw new DomainError(
      'VALIDATION_FAILED',
      `${target.targetTime} is not a time (write 2026-12-03T14:05:00Z)`,
      'target-time',
    );
  const base = join(backupDir, pgBaseFolder);
  const created = !existsSync(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    chmodSync(dataDir, 0o700);
    await runProgram('tar', ['-x', '-f', join(base, 'base.tar'), '-C', dataDir]);
    mkdirSync(join(dataDir, 'pg_wal'), { recursive: true, mode: 0o700 });
    await runProgram('tar', ['-x', '-f', join(base, 'pg_wal.tar'), '-C', join(dataDir, 'pg_wal')]);
    if (target) {
      const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
      const lines = [
        '# Written by tessera restore: replay the WAL archive, then open for writes.',
        `restore_command = ${quote(`cp ${join(target.walArchive, '%f')} %p`)}`,
        ...(target.targetTime !== undefined
          ? [
              `recovery_target_time = ${quote(pgTimestamp(target.targetTime))}`,
              `recovery_target_action = 'promote'`,
            ]
          : []),
      ];
      appendFileSync(join(dataDir, 'postgresql.auto.conf'), `${lines.join('\n')}\n`);
      writeFileSync(join(dataDir, 'recovery.signal'), '');
    }
  } catch (e) {
    if (created) rmSync(dataDir, { recursive: true, force: true });
    else
      for (const name of readdirSync(dataDir))
        rmSync(join(dataDir, name), { recursive: true, force: true });
    throw e;
  }
}
