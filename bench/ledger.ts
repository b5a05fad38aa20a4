// bench/ledger: transfers per second through createTransfers, one per batch and in linked
// batches of 100 and of 8,000, on SQLite (and on PostgreSQL when TESSERA_BENCH_DATABASE_URL
// is set), beside a bare insert of the same transfer rows in the same run, and the ratio.
// Then over HTTP: the real server (`tessera serve`, its own process) on the SQLite file, loaded
// by autocannon with POST /api/v1/ledger/transfers, one transfer per request and a linked chain
// of 100 per request, beside a bare authenticated route in the same run.
// Target (issue 13): batched at least half the bare insert rate. The last line is JSON.
// Usage: npx tsx bench/ledger.ts [--singles N] [--batches N] [--seconds N] [--connections N]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appContext } from '../src/app';
import { createTestApiToken } from '../test/support/api-token';
import { runAutocannon, startBenchServer, stopBenchServer } from './serve';
import { migrateToLatest, openDatabase, type Database } from '../src/db';
import { createAccounts, createTransfers, ledgerTotals, type TransferInput } from '../src/ledger';
import { migrations } from '../src/modules';
import { systemActor } from '../src/shared/access';
import { defaultRegions } from '../src/shared/regions';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const singles = arg('--singles', 2000);
const batchesOf100 = arg('--batches', 40);
const batchesOf8000 = 2;
const httpSeconds = arg('--seconds', 10);
const connections = arg('--connections', 32);
const caller = { actor: systemActor('bench') };

function transfer(id: string, linked: boolean): TransferInput {
  return {
    id,
    debitAccountId: 'b-equity',
    creditAccountId: 'b-wallet',
    amount: 125n,
    ledger: 'VES',
    code: 'benefit',
    flags: { linked },
  };
}

function chain(prefix: string, size: number): TransferInput[] {
  return Array.from({ length: size }, (_, i) => transfer(`${prefix}-${i}`, i < size - 1));
}

async function perSecond(count: number, run: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return Math.round(count / seconds);
}

async function measure(db: Database) {
  await migrateToLatest(db, migrations);
  const app = appContext(db, {
    regions: defaultRegions,
    dataKey: randomBytes(32),
    statsCellMin: 10,
  });
  await createAccounts(app, caller, {
    accounts: [
      { id: 'b-equity', ledger: 'VES', code: 'operator_equity' },
      {
        id: 'b-wallet',
        ledger: 'VES',
        code: 'wallet',
        flags: { debitsMustNotExceedCredits: true },
      },
    ],
  });
  const one = await perSecond(singles, async () => {
    for (let i = 0; i < singles; i += 1)
      await createTransfers(app, caller, { transfers: [transfer(`s-${i}`, false)] });
  });
  const linked100 = await perSecond(batchesOf100 * 100, async () => {
    for (let b = 0; b < batchesOf100; b += 1)
      await createTransfers(app, caller, { transfers: chain(`c${b}`, 100) });
  });
  const linked8000 = await perSecond(batchesOf8000 * 8000, async () => {
    for (let b = 0; b < batchesOf8000; b += 1)
      await createTransfers(app, caller, { transfers: chain(`k${b}`, 8000) });
  });
  // The bare limit: the same rows, prebuilt, inserted in one transaction by the bulk path.
  const rows = Array.from({ length: batchesOf8000 * 8000 }, (_, i) => ({
    id: `bare-${i}`,
    debit_account_id: 'b-equity',
    credit_account_id: 'b-wallet',
    amount: 125n,
    ledger: 'VES',
    code: 'benefit',
    flags: 1,
    pending_id: null,
    timeout_seconds: 0,
    created_at: new Date().toISOString(),
  }));
  const bare = await perSecond(rows.length, async () => {
    for (let i = 0; i < rows.length; i += 8000) {
      await db.transaction((trx) =>
        db.insertMany(trx, 'ledger_transfers', rows.slice(i, i + 8000)),
      );
    }
  });
  const totals = await ledgerTotals(db.kysely);
  if (!totals.every((t) => t.isBalanced))
    throw new Error('the books do not balance after the bench');
  const ratio = (x: number) => Math.round((x / bare) * 100) / 100;
  return {
    oneAtATime: one,
    linked100,
    linked8000,
    bareInsert: bare,
    ratio100: ratio(linked100),
    ratio8000: ratio(linked8000),
  };
}

// Over HTTP, against the SQLite file `measure` left: unique ids per request, every answer read.
async function overHttp(path: string) {
  const db = await openDatabase({ url: path });
  const { token } = await createTestApiToken(db, {
    grants: [{ role: 'programme_admin', regions: '*' }],
    permissions: ['ledger:write', 'ledger:read'],
    name: 'ledger bench',
  });
  await db.close();
  const dataKey = randomBytes(32);
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-bench-ledger-data-'));
  const { base, child } = await startBenchServer({ databaseUrl: path, dataKey, dataDir });
  try {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const bare = await runAutocannon({
      url: `${base}/api/v1/ledger/accounts/b-wallet`,
      connections,
      duration: Math.max(3, Math.round(httpSeconds / 2)),
      headers,
    });
    let next = 0;
    const tally = { created: 0, other: 0, errors: 0 };
    const load = async (size: number) => {
      const started = process.hrtime.bigint();
      const result = await runAutocannon({
        url: base,
        connections,
        duration: httpSeconds,
        requests: [
          {
            method: 'POST',
            path: '/api/v1/ledger/transfers',
            headers,
            setupRequest: (req) => {
              const prefix = `h${size}-${next++}`;
              const transfers = size === 1 ? [transfer(prefix, false)] : chain(prefix, size);
              return {
                ...req,
                body: JSON.stringify({
                  transfers: transfers.map((t) => ({ ...t, amount: String(t.amount) })),
                }),
              };
            },
            onResponse: (status, body) => {
              if (status !== 200) {
                tally.errors += 1;
                return;
              }
              const answer = JSON.parse(body) as { created: number; results: unknown[] };
              tally.created += answer.created;
              tally.other += answer.results.length - answer.created;
            },
          },
        ],
      });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      return {
        requestsPerSecond: Math.round(result.requests.average),
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        seconds,
      };
    };
    const before = tally.created;
    const one = await load(1);
    const createdOne = tally.created - before;
    const chained = await load(100);
    const createdChained = tally.created - before - createdOne;
    const figures = {
      connections,
      bareRequestsPerSecond: Math.round(bare.requests.average),
      oneAtATime: {
        ...one,
        transfersPerSecond: Math.round(createdOne / one.seconds),
      },
      linked100: {
        ...chained,
        transfersPerSecond: Math.round(createdChained / chained.seconds),
      },
      notCreated: tally.other,
      errors: tally.errors,
    };
    return figures;
  } finally {
    await stopBenchServer(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-ledger-'));
const figures: Record<string, unknown> = { singles, batchesOf100, batchesOf8000 };
try {
  const sqlite = await openDatabase({ url: join(dir, 'ledger.db') });
  figures.sqlite = await measure(sqlite);
  await sqlite.close();
  console.log(`sqlite: ${JSON.stringify(figures.sqlite)}`);
  const http = await overHttp(join(dir, 'ledger.db'));
  const bareInsert = (figures.sqlite as { bareInsert: number }).bareInsert;
  figures.http = {
    ...http,
    ratio100ToBareInsert: Math.round((http.linked100.transfersPerSecond / bareInsert) * 100) / 100,
  };
  console.log(`http (sqlite): ${JSON.stringify(figures.http)}`);
  if (http.errors > 0 || http.notCreated > 0)
    throw new Error(
      `over HTTP, ${http.errors} errors and ${http.notCreated} transfers not created`,
    );
  const pgUrl = process.env.TESSERA_BENCH_DATABASE_URL;
  if (pgUrl) {
    const pg = await openDatabase({ url: pgUrl });
    figures.postgres = await measure(pg);
    await pg.close();
    console.log(`postgres: ${JSON.stringify(figures.postgres)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(figures));
