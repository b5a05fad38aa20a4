// Backup and restore, on both engines, against the real server in its own process: clients
// move money over HTTP while `tessera backup` runs; the backup is restored into a new place,
// and every transfer acknowledged before the backup began must be there, with the accounts'
// balances equal to the sums of the transfers restored (one consistent snapshot, not a copy
// torn between commits). A server started on the restored database answers with the same
// balances. A truncated, altered or foreign backup is refused with its reason, writing nothing.
// On PostgreSQL both ways are tried: the logical pg_dump into an empty database, and the
// physical pg_basebackup of a cluster of the test's own, restored into a new data directory
// that a new PostgreSQL server is started on.
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
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import pg from 'pg';
import { migrateToLatest, openDatabase, type Database } from '../src/db';
import { restoreBackup } from '../src/db/backup';
import { migrations } from '../src/modules';
import { createTestApiToken } from './support/api-token';
import { tesseraRunner, type CliRun } from './support/cli';
import { forEachEngine } from './support/engines';
import { findPostgresBin, freePort, startLocalPostgres, type LocalPg } from './support/local-pg';
import { startServerProcess, type ServerProcess } from './support/server-process';

const walletsCount = 4;
const clientsCount = 4;
/** Most transfers one client sends in a run (each run stops earlier, when the backup ends). */
const transfersPerClientMax = 400;
/** Transfers acknowledged before the backup is started. */
const acknowledgedBeforeBackup = 40;
/** Each client's pause between transfers. */
const clientPauseMs = 5;
const requestTimeoutMs = 10_000;
/** The clients share one address: lift the per-address limit, as for points behind one uplink. */
const serverEnv = { TESSERA_RATE_LIMIT_PER_MINUTE: '1000000' };

interface Wire {
  server: ServerProcess;
  token: string;
}

async function post(wire: Wire, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${wire.server.baseUrl()}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${wire.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(requestTimeoutMs),
  });
  const text = await response.text();
  assert.equal(response.status, 200, `${path}: ${text}`);
  return JSON.parse(text);
}

const accountIds = (run: string) => ({
  equity: `${run}-equity`,
  wallets: Array.from({ length: walletsCount }, (_, i) => `${run}-w${i}`),
});

async function openAccounts(wire: Wire, run: string): Promise<void> {
  const { equity, wallets } = accountIds(run);
  const opened = (await post(wire, '/api/v1/ledger/accounts', {
    accounts: [
      { id: equity, ledger: 'VES', code: 'operator_equity' },
      ...wallets.map((id) => ({ id, ledger: 'VES', code: 'wallet' })),
    ],
  })) as { results: { result: string }[] };
  assert.ok(
    opened.results.every((r) => r.result === 'created'),
    JSON.stringify(opened.results),
  );
}

/** What the clients did: every transfer sent, and those acknowledged, in order. */
interface Traffic {
  sent: Set<string>;
  acknowledged: string[];
  stop: boolean;
  done: Promise<void>;
}

/** Clients sending one transfer at a time each, until told to stop (or their bound). */
function startTraffic(wire: Wire, run: string): Traffic {
  const { equity, wallets } = accountIds(run);
  const traffic: Traffic = {
    sent: new Set(),
    acknowledged: [],
    stop: false,
    done: Promise.resolve(),
  };
  const client = async (c: number) => {
    for (let n = 0; n < transfersPerClientMax && !traffic.stop; n += 1) {
      const id = `${run}-c${c}-${n}`;
      traffic.sent.add(id);
      const answer = (await post(wire, '/api/v1/ledger/transfers', {
        transfers: [
          {
            id,
            debitAccountId: equity,
            creditAccountId: wallets[(c + n) % walletsCount],
            amount: String(1 + ((c * 7 + n * 13) % 500)),
            ledger: 'VES',
            code: 'bank',
          },
        ],
      })) as { results: { result: string }[] };
      assert.equal(answer.results[0]?.result, 'created', `${id}: ${JSON.stringify(answer)}`);
      traffic.acknowledged.push(id);
      // A counter's pace, not a flood: the backup shares the machine's two cores with them.
      await new Promise((resolve) => setTimeout(resolve, clientPauseMs));
    }
  };
  traffic.done = Promise.all(Array.from({ length: clientsCount }, (_, c) => client(c))).then(
    () => undefined,
  );
  return traffic;
}

async function until(what: string, check: () => boolean, traffic: Traffic): Promise<void> {
  // Bounded: 600 looks, 50 ms apart; the clients' own failure ends the wait at once.
  let failed: unknown;
  traffic.done.catch((e: unknown) => (failed = e));
  for (let i = 0; i < 600; i += 1) {
    if (failed) throw failed;
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what}: not reached`);
}

/**
 * Runs `tessera backup` while the clients write; returns what was acknowledged before it
 * was started and how many acknowledgements came while it ran.
 */
async function backupUnderWrites(
  wire: Wire,
  run: string,
  backup: () => Promise<CliRun>,
): Promise<{ before: string[]; during: number; traffic: Traffic; result: CliRun }> {
  await openAccounts(wire, run);
  const traffic = startTraffic(wire, run);
  await until(
    `${acknowledgedBeforeBackup} transfers acknowledged`,
    () => traffic.acknowledged.length >= acknowledgedBeforeBackup,
    traffic,
  );
  const before = [...traffic.acknowledged];
  let result: CliRun;
  try {
    result = await backup();
  } finally {
    traffic.stop = true;
  }
  const during = traffic.acknowledged.length - before.length;
  await traffic.done;
  return { before, during, traffic, result };
}

/** Checks the restored database: every early write there, nothing invented, books that add up. */
async function checkRestored(
  restored: Database,
  run: string,
  before: string[],
  traffic: Traffic,
): Promise<Map<string, bigint>> {
  const rows = await restored.kysely
    .selectFrom('ledger_transfers')
    .select(['id', 'credit_account_id', 'amount'])
    .where('id', 'like', `${run}-c%`)
    .execute();
  const found = new Set(rows.map((r) => r.id));
  const missing = before.filter((id) => !found.has(id));
  assert.deepEqual(
    missing,
    [],
    'transfers acknowledged before the backup began, missing after restore',
  );
  const invented = [...found].filter((id) => !traffic.sent.has(id));
  assert.deepEqual(invented, [], 'transfers in the restored database that nobody sent');
  // One snapshot: each wallet's balance is the sum of the transfers restored onto it.
  const sums = new Map<string, bigint>();
  for (const r of rows)
    sums.set(r.credit_account_id, (sums.get(r.credit_account_id) ?? 0n) + BigInt(r.amount));
  const { equity, wallets } = accountIds(run);
  const accounts = await restored.kysely
    .selectFrom('ledger_accounts')
    .select(['id', 'credits_posted', 'debits_posted'])
    .where('id', 'in', [equity, ...wallets])
    .execute();
  const balances = new Map(accounts.map((a) => [a.id, BigInt(a.credits_posted)]));
  for (const w of wallets) assert.equal(balances.get(w), sums.get(w) ?? 0n, `${w} after restore`);
  const total = [...sums.values()].reduce((x, y) => x + y, 0n);
  const equityRow = accounts.find((a) => a.id === equity);
  assert.equal(BigInt(equityRow!.debits_posted), total, 'equity debits after restore');
  return balances;
}

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

  if (engine === 'postgres') {
    it('takes a base backup (pg_basebackup) while writing and restores it into a new data directory', async () => {
      await baseBackupRoundTrip(work);
    });
  }
});

/** Runs a PostgreSQL program as the server's own user (PostgreSQL refuses to run as root). */
function asServerUser(bin: string, args: string[]): string {
  const isRoot = process.getuid?.() === 0;
  const [cmd, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

async function baseBackupRoundTrip(work: string): Promise<void> {
  // A cluster of this test's own, so the base backup holds only what the test wrote.
  const cluster: LocalPg = await startLocalPostgres();
  let server: ServerProcess | undefined;
  let restoredCluster: { stop: () => void } | undefined;
  try {
    const source = await openDatabase({ url: cluster.url, poolSizeMax: 2 });
    let token: string;
    try {
      await migrateToLatest(source, migrations);
      ({ token } = await createTestApiToken(source, {
        grants: [{ role: 'programme_admin', regions: '*' }],
        permissions: ['ledger:write', 'ledger:read'],
        name: 'base backup clients',
      }));
    } finally {
      await source.close();
    }
    server = await startServerProcess({ databaseUrl: cluster.url, env: serverEnv });
    const tessera = tesseraRunner(() => cluster.url, join(work, 'cli-data-base'));
    const backupDir = join(work, 'base-backup');
    const run = 'base';
    const { before, during, traffic, result } = await backupUnderWrites(
      { server, token },
      run,
      () => tessera('backup', '--to', backupDir),
    );
    assert.equal(result.code, 0, `backup: ${result.stderr}`);
    assert.match(
      result.stdout,
      /\(pg-basebackup\).*\n\s+WAL start point [0-9A-F]+\/[0-9A-F]+ on timeline 1/,
    );
    assert.ok(during > 0, 'the clients were answered while the backup ran');

    // Restore into a new data directory and start a second server on it.
    const parent = mkdtempSync(join(tmpdir(), 'tessera-restored-pg-'));
    chmodSync(parent, 0o777);
    const dataDir = join(parent, 'data');
    const restore = await tessera('restore', '--from', backupDir, '--data-dir', dataDir);
    assert.equal(restore.code, 0, `restore: ${restore.stderr}`);
    assert.match(restore.stdout, /start PostgreSQL on .*data/);
    const bin = findPostgresBin()!;
    if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres:postgres', dataDir]);
    const port = await freePort();
    asServerUser(join(bin, 'pg_ctl'), [
      '-D',
      dataDir,
      '-o',
      `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${parent}`,
      '-l',
      join(parent, 'server.log'),
      '-w',
      'start',
    ]);
    restoredCluster = {
      stop: () => {
        try {
          asServerUser(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
        } finally {
          rmSync(parent, { recursive: true, force: true });
        }
      },
    };
    const restoredUrl = cluster.url.replace(/:\d+\//, `:${port}/`);
    const restored = await openDatabase({ url: restoredUrl, poolSizeMax: 2 });
    try {
      await checkRestored(restored, run, before, traffic);
    } finally {
      await restored.close();
    }
    // A damaged base backup is refused before any data directory is written.
    const damaged = join(work, 'base-damaged');
    cpSync(backupDir, damaged, { recursive: true });
    truncateSync(join(damaged, 'base', 'base.tar'), 4096);
    const elsewhere = join(work, 'never-written');
    const refused = await tessera('restore', '--from', damaged, '--data-dir', elsewhere);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /the backup is truncated: base\/base.tar has 4096 bytes/);
    assert.equal(existsSync(elsewhere), false);
  } finally {
    await server?.stop();
    restoredCluster?.stop();
    cluster.stop();
  }
}
