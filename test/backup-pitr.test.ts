// PostgreSQL's physical backup and point-in-time recovery, on a cluster of the test's own that
// archives its WAL: clients move money over HTTP at the real server while `tessera backup`
// takes a pg_basebackup; more transfers follow, then a moment is marked, then more again. The
// backup is restored twice into new data directories, each started as a new PostgreSQL server:
// once as it is (every transfer acknowledged before the backup began is there), and once with
// the WAL archive replayed to the marked moment (every transfer acknowledged before the mark is
// there, including those made after the backup ended, and none acknowledged after it). A
// truncated base backup is refused before any data directory is written.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { migrateToLatest, openDatabase } from '../src/db';
import { migrations } from '../src/modules';
import { createTestApiToken } from './support/api-token';
import { tesseraRunner } from './support/cli';
import { testEngines } from './support/engines';
import {
  backupUnderWrites,
  checkRestored,
  openAccounts,
  serverEnv,
  startTraffic,
  until,
  type Traffic,
} from './support/ledger-traffic';
import { findPostgresBin, freePort, startLocalPostgres, type LocalPg } from './support/local-pg';
import { startServerProcess, type ServerProcess } from './support/server-process';

/** Runs a PostgreSQL program as the server's own user (PostgreSQL refuses to run as root). */
function asServerUser(bin: string, args: string[]): string {
  const isRoot = process.getuid?.() === 0;
  const [cmd, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A PostgreSQL server started on a restored data directory, and its URL. */
async function startRestored(dataDir: string, parent: string, like: string) {
  const bin = findPostgresBin()!;
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres:postgres', dataDir]);
  const port = await freePort();
  const log = join(parent, `${port}.log`);
  try {
    asServerUser(join(bin, 'pg_ctl'), [
      '-D',
      dataDir,
      '-o',
      `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${parent} -c archive_mode=off -c max_connections=300`,
      '-l',
      log,
      '-w',
      'start',
    ]);
  } catch (e) {
    const said = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-15).join('\n') : '';
    throw new Error(`PostgreSQL did not start on ${dataDir}: ${String(e)}\n${said}`);
  }
  const url = like.replace(/:\d+\//, `:${port}/`);
  // Bounded: a recovery that replays an archive opens for writes when it has promoted.
  for (let i = 0; i < 600; i += 1) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ r: boolean }>('select pg_is_in_recovery() as r');
    await client.end();
    if (!rows[0]!.r) break;
    if (i === 599) throw new Error(`${dataDir}: still recovering`);
    await sleep(100);
  }
  return {
    url,
    stop: () => asServerUser(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']),
  };
}

async function transferIds(url: string, run: string): Promise<Set<string>> {
  const db = await openDatabase({ url, poolSizeMax: 2 });
  try {
    const rows = await db.kysely
      .selectFrom('ledger_transfers')
      .select('id')
      .where('id', 'like', `${run}-c%`)
      .execute();
    return new Set(rows.map((r) => r.id));
  } finally {
    await db.close();
  }
}

if (testEngines.includes('postgres')) {
  describe('backup and restore, physical and to a point in time [postgres]', () => {
    const work = mkdtempSync(join(tmpdir(), 'tessera-pitr-test-'));
    chmodSync(work, 0o777);
    const archive = join(work, 'wal-archive');
    let cluster: LocalPg | undefined;
    let server: ServerProcess | undefined;
    let token = '';
    const stops: (() => void)[] = [];
    before(async () => {
      execFileSync('mkdir', ['-m', '777', archive]);
      cluster = await startLocalPostgres({
        settings: ['archive_mode=on', `"archive_command=cp %p ${archive}/%f"`],
      });
      const db = await openDatabase({ url: cluster.url, poolSizeMax: 2 });
      try {
        await migrateToLatest(db, migrations);
        ({ token } = await createTestApiToken(db, {
          grants: [{ role: 'programme_admin', regions: '*' }],
          permissions: ['ledger:write', 'ledger:read'],
          name: 'base backup clients',
        }));
      } finally {
        await db.close();
      }
      server = await startServerProcess({ databaseUrl: cluster.url, env: serverEnv });
    });
    after(async () => {
      await server?.stop();
      for (const stop of stops.reverse()) {
        try {
          stop();
        } catch {
          // Already stopped.
        }
      }
      cluster?.stop();
      rmSync(work, { recursive: true, force: true });
    });

    it('restores a base backup taken while writing, and replays the archive to a marked time', async (t) => {
      const tessera = tesseraRunner(() => cluster!.url, join(work, 'cli-data'));
      const wire = { server: server!, token };
      const backupDir = join(work, 'base-backup');
      const run = 'base';
      const {
        before: early,
        during,
        traffic,
        result,
      } = await backupUnderWrites(wire, run, () => tessera('backup', '--to', backupDir));
      assert.equal(result.code, 0, `backup: ${result.stderr}`);
      assert.match(
        result.stdout,
        /\(pg-basebackup\).*\n\s+WAL start point [0-9A-F]+\/[0-9A-F]+ on timeline 1/,
      );
      assert.ok(during > 0, 'the clients were answered while the backup ran');

      // After the backup: more transfers, a mark, a pause, more transfers.
      await openAccounts(wire, 'late');
      const late: Traffic = startTraffic(wire, 'late');
      await until('late transfers', () => late.acknowledged.length >= 30, late);
      late.stop = true;
      await late.done;
      await sleep(1_100);
      const mark = new Date().toISOString();
      await sleep(1_100);
      await openAccounts(wire, 'after');
      const afterMark: Traffic = startTraffic(wire, 'after');
      await until('transfers after the mark', () => afterMark.acknowledged.length >= 10, afterMark);
      afterMark.stop = true;
      await afterMark.done;
      t.diagnostic(
        `${early.length} transfers before the backup, ${during} during it, ${late.acknowledged.length} after it and before the mark`,
      );
      // Close the current WAL segment so the archive holds everything up to now.
      const client = new pg.Client({ connectionString: cluster!.url });
      await client.connect();
      const { rows } = await client.query<{ wal: string }>(
        'select pg_walfile_name(pg_switch_wal()) as wal',
      );
      await client.end();
      const segment = rows[0]!.wal;
      await until('the WAL archived', () => existsSync(join(archive, segment)), afterMark);

      // 1. The base backup alone.
      const plainParent = mkdtempSync(join(work, 'plain-'));
      chmodSync(plainParent, 0o777);
      const plainDir = join(plainParent, 'data');
      const restore = await tessera('restore', '--from', backupDir, '--data-dir', plainDir);
      assert.equal(restore.code, 0, `restore: ${restore.stderr}`);
      assert.match(restore.stdout, /start PostgreSQL on .*data/);
      const plain = await startRestored(plainDir, plainParent, cluster!.url);
      stops.push(plain.stop);
      const restored = await openDatabase({ url: plain.url, poolSizeMax: 2 });
      try {
        await checkRestored(restored, run, early, traffic);
      } finally {
        await restored.close();
      }
      plain.stop();

      // 2. The base backup with the archive replayed to the mark.
      const pitrParent = mkdtempSync(join(work, 'pitr-'));
      chmodSync(pitrParent, 0o777);
      const pitrDir = join(pitrParent, 'data');
      const pitr = await tessera(
        'restore',
        '--from',
        backupDir,
        '--data-dir',
        pitrDir,
        '--wal-archive',
        archive,
        '--target-time',
        mark,
      );
      assert.equal(pitr.code, 0, `restore to ${mark}: ${pitr.stderr}`);
      const recovered = await startRestored(pitrDir, pitrParent, cluster!.url);
      stops.push(recovered.stop);
      const lateFound = await transferIds(recovered.url, 'late');
      assert.deepEqual(
        late.acknowledged.filter((id) => !lateFound.has(id)),
        [],
        'transfers acknowledged after the backup and before the mark, missing after recovery',
      );
      const afterFound = await transferIds(recovered.url, 'after');
      assert.deepEqual([...afterFound], [], 'transfers made after the mark, found after recovery');
      const recoveredDb = await openDatabase({ url: recovered.url, poolSizeMax: 2 });
      try {
        await checkRestored(recoveredDb, run, traffic.acknowledged, traffic);
      } finally {
        await recoveredDb.close();
      }
    });

    it('refuses a truncated base backup before writing any data directory', async () => {
      const tessera = tesseraRunner(() => cluster!.url, join(work, 'cli-data'));
      const backupDir = join(work, 'base-backup');
      assert.ok(existsSync(backupDir), 'the first test made the backup');
      const damaged = join(work, 'base-damaged');
      cpSync(backupDir, damaged, { recursive: true });
      truncateSync(join(damaged, 'base', 'base.tar'), 4096);
      const elsewhere = join(work, 'never-written');
      const refused = await tessera('restore', '--from', damaged, '--data-dir', elsewhere);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /the backup is truncated: base\/base.tar has 4096 bytes/);
      assert.equal(existsSync(elsewhere), false);
      assert.deepEqual(readdirSync(damaged).sort(), ['base', 'manifest.json']);
    });
  });
}
