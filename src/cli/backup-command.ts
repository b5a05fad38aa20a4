// `tessera backup` and `tessera restore`: an online backup of the configured database into a
// new folder, and its restore into a new place, with progress on standard error. The work is
// in src/db/backup; this file is the command line.
import type { Command } from 'commander';
import { createBackup, restoreBackup, type BackupReporter } from '../db/backup';
import { settingsFromEnv } from '../shared/settings';
import { progressBar } from './progress';

/** What the commands need from the module list. */
export interface BackupDependencies {
  /** Every migration this Tessera knows, by name. */
  migrationNames(): readonly string[];
}

const mb = (bytes: number) => Math.round(bytes / 1e6);

/** Progress bars in megabytes per step, and PostgreSQL's own lines passed through. */
function reporter(): BackupReporter & { stop(): void } {
  let current: { label: string; bar: ReturnType<typeof progressBar> } | undefined;
  const stop = () => {
    current?.bar.stop();
    current = undefined;
  };
  return {
    progress(label, done, total) {
      if (current?.label !== label) {
        stop();
        current = { label, bar: progressBar(`${label} (MB)`, mb(total)) };
      }
      current.bar.update(mb(done));
    },
    line(text) {
      process.stderr.write(`  ${text}\n`);
    },
    stop,
  };
}

/** Registers `backup` and `restore`. */
export function registerBackupCommands(program: Command, deps: BackupDependencies): void {
  program
    .command('backup')
    .description(
      'Take an online backup of the database into a new folder, while the server keeps writing (SQLite: VACUUM INTO; PostgreSQL: pg_basebackup, or pg_dump with --logical)',
    )
    .requiredOption('--to <folder>', 'the backup folder to create (must not exist)')
    .option('--logical', 'PostgreSQL: a pg_dump of this database, for a role without REPLICATION')
    .action(async (options: { to: string; logical?: boolean }) => {
      const settings = settingsFromEnv();
      const report = reporter();
      try {
        const m = await createBackup(
          { databaseUrl: settings.databaseUrl, to: options.to, logical: options.logical === true },
          report,
        );
        report.stop();
        const bytes = m.files.reduce((n, f) => n + f.bytes, 0);
        console.log(
          `backup ${options.to}: ${m.engine} (${m.method}), schema ${m.schemaVersion}, ${m.files.length} file(s), ${bytes} bytes, started ${m.startedAt}, finished ${m.finishedAt}`,
        );
        if (m.wal) console.log(`  WAL start point ${m.wal.startLsn} on timeline ${m.wal.timeline}`);
      } finally {
        report.stop();
      }
    });

  program
    .command('restore')
    .description(
      'Check a backup whole, then restore it into a new place: a new SQLite file or an empty PostgreSQL database (--to), or a new PostgreSQL data directory (--data-dir)',
    )
    .requiredOption('--from <folder>', 'the backup folder')
    .option(
      '--to <database>',
      'the new database: a file path or postgres:// URL (default: TESSERA_DATABASE_URL)',
    )
    .option('--data-dir <folder>', 'PostgreSQL base backups: the new data directory')
    .option(
      '--wal-archive <folder>',
      'PostgreSQL base backups: replay archived WAL from this folder after the base',
    )
    .option(
      '--target-time <time>',
      'with --wal-archive: stop replaying at this time (ISO 8601 with zone)',
    )
    .action(
      async (options: {
        from: string;
        to?: string;
        dataDir?: string;
        walArchive?: string;
        targetTime?: string;
      }) => {
        const databaseUrl =
          options.to ?? (options.dataDir ? undefined : settingsFromEnv().databaseUrl);
        const report = reporter();
        try {
          const m = await restoreBackup(
            {
              from: options.from,
              ...(databaseUrl !== undefined ? { databaseUrl } : {}),
              ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
              ...(options.walArchive !== undefined
                ? {
                    recovery: {
                      walArchive: options.walArchive,
                      ...(options.targetTime !== undefined
                        ? { targetTime: options.targetTime }
                        : {}),
                    },
                  }
                : {}),
              knownMigrations: deps.migrationNames(),
            },
            report,
          );
          report.stop();
          console.log(
            `restored ${options.from} (${m.engine}, ${m.method}, schema ${m.schemaVersion}, taken ${m.startedAt})`,
          );
          if (m.method === 'pg-basebackup')
            console.log(
              `  start PostgreSQL on ${options.dataDir} as its own user (pg_ctl -D ${options.dataDir} start)${options.walArchive ? '; it replays the archive, then opens for writes' : ''}`,
            );
        } finally {
          report.stop();
        }
      },
    );
}
