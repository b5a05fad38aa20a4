// Backup and restore, on both engines, against the real server in its own process: clients
// move money over HTTP while `tessera backup` runs; the backup is restored into a new place,
// and every transfer acknowledged before the backup began must be there, with the accounts'
// balances equal to the sums of the transfers restored (one consistent snapshot, not a copy
// torn between commits). A server started on the restored database answers with the same
// balances. A truncated, altered, newer or foreign backup is refused with its reason, writing
// nothing. PostgreSQL here is the logical pg_dump into an empty database; the physical
// pg_basebackup and point-in-time recovery are in backup-pitr.test.ts.
import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import pg from 'pg';
import { openDatabase } from '../src/db';
import { restoreBackup } from '../src/db/backup';
import { migrations } from '../src/modules';
import { createTestApiToken } from './support/api-token';
import { tesseraRunner } from './support/cli';
import { forEachEngine } from './support/engines';
import {
  accountIds,
  backupUnderWrites,
  checkRestored,
  post,
  serverEnv,
  walletsCount,
} from './support/ledger-traffic';
import { startServerProcess, type ServerProcess } from './support/server-process';

/** A server on the restored database answers with the restored balances. */
async function checkServedBalances(
  databaseUrl: string,
  token: string,
  run: string,
  balances: Map<string, bigint>,
): Promise<void> {
  const server = await startServerProcess({ databaseUrl, env: serverEnv });
  try {
    const { wallets } = accountIds(run);
    const body = (await post({ server, token }, '/api/v1/ledger/accounts/lookup', {
      ids: wallets,
    })) as { items: { id: string; creditsPosted: string }[] };
    for (const a of body.items) assert.equal(BigInt(a.creditsPosted), balances.get(a.id), a.id);
    assert.equal(body.items.length, walletsCount);
  } finally {
    await server.stop();
  }
}

function damagedCopies(backup: string, work: string, dataFile: string): Record<string, string> {
  const truncated = join(work, 'truncated');
  cpSync(backup, truncated, { recursive: true });
  truncateSync(join(truncated, dataFile), Math.floor(statSync(join(backup, dataFile)).size / 2));
  const altered = join(work, 'altered');
  cpSync(backup, altered, { recursive: true });
  const bytes = readFileSync(join(altered, dataFile));
  const middle = Math.floor(bytes.length / 2);
  bytes[middle] = bytes[middle]! ^ 0xff;
  writeFileSync(join(altered, dataFile), bytes);
  const newer = join(work, 'newer');
  cpSync(backup, newer, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(newer, 'manifest.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  manifest.schemaVersion = '2999-01-01-00-from-the-future';
  writeFileSync(join(newer, 'manifest.json'), JSON.stringify(manifest));
  return { truncated, altered, newer };
}

const refusals = {
  truncated: /the backup is truncated: \S+ has \d+ bytes of the \d+ it was written with/,
  altered: /the backup is damaged: \S+ does not match its SHA-256/,
  newer: /schema version 2999-01-01-00-from-the-future, which this Tessera does not know/,
};

forEachEngine('backup and restore', ({ db, url, engine }) => {
  const work = mkdtempSync(join(tmpdir(), 'tessera-backup-test-'));
  const tessera = tesseraRunner(url, join(work, 'cli-data'));
  let server: ServerProcess | undefined;
  let token = '';
  let adminUrl = '';
  before(async () => {
    ({ token } = await createTestApiToken(db(), {
      grants: [{ role: 'programme_admin', regions: '*' }],
      permissions: ['ledger:write', 'ledger:read'],
      name: 'backup test clients',
    }));
    server = await startServerProcess({ databaseUrl: url(), env: serverEnv });
    adminUrl = url().replace(/\/[^/?]*(\?|$)/, '/postgres$1');
  });
  after(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  /** A new, empty database on the test server (PostgreSQL), dropped at the end. */
  const emptyDatabases: string[] = [];
  async function emptyDatabase(): Promise<string> {
    const name = `r_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`create database ${name}`);
    await client.end();
    emptyDatabases.push(name);
    return url().replace(/\/[^/?]*(\?|$)/, `/${name}$1`);
  }
  after(async () => {
    if (emptyDatabases.length === 0) return;
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    for (const name of emptyDatabases)
      await client.query(`drop database if exists ${name} with (force)`);
    await client.end();
  });
  async function tableCount(databaseUrl: string): Promise<number> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>(
        'select count(*) as n from information_schema.tables where table_schema = current_schema()',
      );
      return Number(rows[0]!.n);
    } finally {
      await client.end();
    }
  }

  const backupDir = join(work, engine === 'sqlite' ? 'backup' : 'dump');
  const dataFile = engine === 'sqlite' ? 'tessera.db' : 'tessera.dump';

  it(`restores every write acknowledged before the backup began (${engine === 'sqlite' ? 'VACUUM INTO' : 'pg_dump'})`, async (t) => {
    const run = 'online';
    const wire = { server: server!, token };
    const args = ['backup', '--to', backupDir, ...(engine === 'postgres' ? ['--logical'] : [])];
    const { before, during, traffic, result } = await backupUnderWrites(wire, run, () =>
      tessera(...args),
    );
    assert.equal(result.code, 0, `backup: ${result.stderr}`);
    t.diagnostic(
      `${before.length} transfers acknowledged before the backup, ${during} while it ran`,
    );
    assert.match(result.stdout, new RegExp(`backup .*: ${engine} \\(`));
    assert.ok(during > 0, 'the clients were answered while the backup ran');
    const manifest = JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8')) as {
      engine: string;
      schemaVersion: string;
      files: { name: string; sha256: string }[];
    };
    assert.equal(manifest.engine, engine);
    assert.equal(manifest.schemaVersion, Object.keys(migrations).sort().at(-1));
    assert.equal(
      statSync(join(backupDir, dataFile)).mode & 0o077,
      0,
      'only its owner reads the copy',
    );

    const target =
      engine === 'sqlite' ? join(work, 'restored', 'tessera.db') : await emptyDatabase();
    const restore = await tessera('restore', '--from', backupDir, '--to', target);
    assert.equal(restore.code, 0, `restore: ${restore.stderr}`);
    const restored = await openDatabase({ url: target });
    let balances: Map<string, bigint>;
    try {
      balances = await checkRestored(restored, run, before, traffic);
    } finally {
      await restored.close();
    }
    await checkServedBalances(target, token, run, balances);

    // Restore writes only to a new place: a second time onto the same target is refused.
    await assert.rejects(
      restoreBackup({
        from: backupDir,
        databaseUrl: target,
        knownMigrations: Object.keys(migrations),
      }),
      engine === 'sqlite'
        ? /exists: restore writes only to a new place/
        : /already holds \d+ tables/,
    );
  });

  it('refuses a truncated, altered, newer or foreign backup with its reason, and writes nothing', async () => {
    assert.ok(existsSync(join(backupDir, 'manifest.json')), 'the first test made the backup');
    const copies = damagedCopies(backupDir, join(work, 'damaged'), dataFile);
    const newTarget = async (kind: string) =>
      engine === 'sqlite' ? join(work, `restored-${kind}`, 'tessera.db') : await emptyDatabase();
    const nothingWritten = async (kind: string, target: string) => {
      if (engine === 'sqlite') {
        const folder = join(work, `restored-${kind}`);
        assert.deepEqual(
          existsSync(folder) ? readdirSync(folder) : [],
          [],
          `${kind}: nothing written`,
        );
      } else {
        assert.equal(await tableCount(target), 0, `${kind}: nothing written`);
      }
    };
    // The command line: its exit code and its message.
    const target = await newTarget('truncated');
    const refused = await tessera('restore', '--from', copies.truncated!, '--to', target);
    assert.equal(refused.code, 1, `${refused.stdout}${refused.stderr}`);
    assert.match(refused.stderr, /^error VALIDATION_FAILED at \S+: /);
    assert.match(refused.stderr, refusals.truncated);
    await nothingWritten('truncated', target);
    // The same checks beneath it, for each other way a backup can be wrong.
    const knownMigrations = Object.keys(migrations);
    for (const kind of ['altered', 'newer'] as const) {
      const to = await newTarget(kind);
      await assert.rejects(
        restoreBackup({ from: copies[kind]!, databaseUrl: to, knownMigrations }),
        refusals[kind],
        kind,
      );
      await nothingWritten(kind, to);
    }
    await assert.rejects(
      restoreBackup({
        from: backupDir,
        databaseUrl:
          engine === 'sqlite' ? 'postgres://nobody@127.0.0.1:1/none' : join(work, 'foreign.db'),
        knownMigrations,
      }),
      engine === 'sqlite'
        ? /this is a SQLite backup; it cannot be restored into PostgreSQL/
        : /this is a PostgreSQL backup; it cannot be restored into SQLite/,
    );
    assert.equal(existsSync(join(work, 'foreign.db')), false);
    await assert.rejects(
      restoreBackup({
        from: join(work, 'no-such-backup'),
        databaseUrl: join(work, 'x.db'),
        knownMigrations,
      }),
      /no backup at .*no-such-backup: the folder does not exist/,
    );
  });
});
