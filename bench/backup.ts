// bench/backup: `tessera backup` and `tessera restore` on a SQLite registry of N generated
// persons (default 200,000): megabytes per second of the online backup (VACUUM INTO, fsync,
// SHA-256) and of the restore (verify, copy, quick_check, rename), each as a ratio to a bare
// copy of the same database file (copyFileSync and an fsync) measured in the same run. No
// writer runs here: test/backup-restore.test.ts shows the backup under writes; this measures
// its cost. Usage: npx tsx bench/backup.ts [--people N]. Last line: one JSON object.
import BetterSqlite3 from 'better-sqlite3';
import {
  closeSync,
  copyFileSync,
  fsyncSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appContext } from '../src/app';
import { migrateToLatest, openDatabase } from '../src/db';
import { createBackup, restoreBackup } from '../src/db/backup';
import { migrations } from '../src/modules';
import {
  buildPersonRow,
  generateDemoPeople,
  generateRegistryNumber,
  personInput,
} from '../src/registry';
import { defaultRegions } from '../src/shared/regions';
import { importBatchRows } from '../src/shared/limits';

const argPeople = process.argv.indexOf('--people');
const people = argPeople > 0 ? Number(process.argv[argPeople + 1]) : 200_000;
if (!Number.isSafeInteger(people) || people < 1 || people > 50_000_000)
  throw new Error(`--people: ${process.argv[argPeople + 1]} is not a count from 1 to 50,000,000`);
const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-backup-'));
const source = join(dir, 'source.db');
const seconds = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e9;
const mbOf = (bytes: number) => bytes / 1e6;

/** The registry to back up: N persons, inserted by one prepared statement (not measured). */
async function build(): Promise<void> {
  const db = await openDatabase({ url: source });
  await migrateToLatest(db, migrations);
  const app = appContext(db, {
    regions: defaultRegions,
    dataKey: randomBytes(32),
    statsCellMin: 10,
  });
  const numbers = new Set<string>();
  const rows: Record<string, unknown>[] = [];
  for (const family of generateDemoPeople(people, 7))
    for (const p of family) {
      let number = generateRegistryNumber();
      while (numbers.has(number)) number = generateRegistryNumber();
      numbers.add(number);
      const input = personInput.parse({
        externalId: p.externalId,
        givenNames: p.givenNames,
        surname1: p.surname1 ?? undefined,
        surname2: p.surname2 ?? undefined,
        birthDate: p.birthDate,
        sex: p.sex,
        address: { regionCode: p.regionCode, locality: p.locality, line: p.addressLine },
        ...(p.phone ? { phone: p.phone } : {}),
      });
      rows.push(buildPersonRow(app, input, new Map(), 'bench', number) as Record<string, unknown>);
    }
  await db.close();
  const raw = new BetterSqlite3(source);
  raw.pragma('journal_mode = WAL');
  const columns = Object.keys(rows[0]!);
  const insert = raw.prepare(
    `insert into persons (${columns.join(',')}) values (${columns.map(() => '?').join(',')})`,
  );
  const batch = raw.transaction((chunk: Record<string, unknown>[]) => {
    for (const row of chunk) insert.run(columns.map((c) => row[c] ?? null));
  });
  for (let i = 0; i < rows.length; i += importBatchRows) batch(rows.slice(i, i + importBatchRows));
  raw.pragma('wal_checkpoint(TRUNCATE)');
  raw.close();
}

function bareCopy(to: string): number {
  const started = process.hrtime.bigint();
  copyFileSync(source, to);
  const fd = openSync(to, 'r');
  fsyncSync(fd);
  closeSync(fd);
  return seconds(started);
}

try {
  console.log(`building a SQLite registry of ${people.toLocaleString('en')} persons in ${dir}…`);
  await build();
  const bytes = statSync(source).size;
  console.log(`  ${mbOf(bytes).toFixed(1)} MB`);
  const bareBefore = bareCopy(join(dir, 'bare-1.db'));
  let started = process.hrtime.bigint();
  const manifest = await createBackup({ databaseUrl: source, to: join(dir, 'backup') });
  const backupSeconds = seconds(started);
  started = process.hrtime.bigint();
  await restoreBackup({
    from: join(dir, 'backup'),
    databaseUrl: join(dir, 'restored.db'),
    knownMigrations: Object.keys(migrations),
  });
  const restoreSeconds = seconds(started);
  const bareAfter = bareCopy(join(dir, 'bare-2.db'));
  const bareSeconds = (bareBefore + bareAfter) / 2;
  const copied = manifest.files[0]!.bytes;
  const figures = {
    people,
    databaseMB: Number(mbOf(bytes).toFixed(1)),
    backupMB: Number(mbOf(copied).toFixed(1)),
    backupSeconds: Number(backupSeconds.toFixed(2)),
    backupMBps: Number((mbOf(bytes) / backupSeconds).toFixed(1)),
    restoreSeconds: Number(restoreSeconds.toFixed(2)),
    restoreMBps: Number((mbOf(copied) / restoreSeconds).toFixed(1)),
    bareCopySeconds: Number(bareSeconds.toFixed(2)),
    bareCopyMBps: Number((mbOf(bytes) / bareSeconds).toFixed(1)),
    backupRatioToBare: Number((bareSeconds / backupSeconds).toFixed(3)),
    restoreRatioToBare: Number((bareSeconds / restoreSeconds).toFixed(3)),
  };
  console.log(
    `backup:  ${figures.backupSeconds} s, ${figures.backupMBps} MB/s of the database (${figures.backupMB} MB written), ratio to a bare copy ${figures.backupRatioToBare}`,
  );
  console.log(
    `restore: ${figures.restoreSeconds} s, ${figures.restoreMBps} MB/s (verify, copy, quick_check), ratio to a bare copy ${figures.restoreRatioToBare}`,
  );
  console.log(
    `bare copy of the file with fsync: ${figures.bareCopySeconds} s, ${figures.bareCopyMBps} MB/s`,
  );
  console.log(JSON.stringify(figures));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
