// bench/ledger: transfers per second through createTransfers, one per batch and in linked
// batches of 100 and of 8,000, on SQLite (and on PostgreSQL when TESSERA_BENCH_DATABASE_URL
// is set), beside a bare insert of the same transfer rows in the same run, and the ratio.
// Target (issue 13): batched at least half the bare insert rate. The last line is JSON.
// Usage: npx tsx bench/ledger.ts [--singles N] [--batches N]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appContext } from '../src/app';
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

const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-ledger-'));
const figures: Record<string, unknown> = { singles, batchesOf100, batchesOf8000 };
try {
  const sqlite = await openDatabase({ url: join(dir, 'ledger.db') });
  figures.sqlite = await measure(sqlite);
  await sqlite.close();
  console.log(`sqlite: ${JSON.stringify(figures.sqlite)}`);
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
