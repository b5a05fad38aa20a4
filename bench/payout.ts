// bench/payout: a payout batch of 1,000,000 people on SQLite, exported as one pain.001.001.09
// file through the folder adapter — every item's pending transfer, claim and audit entry, then
// the file streamed a page at a time — timed against the limit of 60 s, with the peak
// RSS before and during the export (flat memory: the export adds little whatever the size).
// The last line is JSON. Usage: npx tsx bench/payout.ts [--people N]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { appContext } from '../src/app';
import { migrateToLatest, openDatabase } from '../src/db';
import {
  approvePayoutBatch,
  configureProvider,
  createAccounts,
  createTransfers,
  exportPayoutBatch,
  insertPayoutBatch,
  insertPayoutItems,
} from '../src/ledger';
import { migrations } from '../src/modules';
import { loadDemoRegistry } from '../src/registry';
import { resolveGrants, systemActor, type Actor } from '../src/shared/access';
import { defaultRegions } from '../src/shared/regions';
import { permissionMatrix } from '../src/modules';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const people = arg('--people', 1_000_000);
const limitSeconds = 60;
const system = { actor: systemActor('bench') };
const officer = (id: string): { actor: Actor } => ({
  actor: {
    kind: 'staff',
    id,
    grants: resolveGrants(permissionMatrix, [{ role: 'finance', regions: '*' }]),
  },
});
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-payout-'));
  const db = await openDatabase({ url: join(dir, 'bench.db') });
  try {
    await migrateToLatest(db, migrations);
    const app = appContext(db, {
      regions: defaultRegions,
      dataKey: randomBytes(32),
      statsCellMin: 10,
    });
    app.payoutFolder = join(dir, 'payouts');
    let t = process.hrtime.bigint();
    await loadDemoRegistry(app, system, { people, seed: 7 });
    console.log(`  registry of ${people.toLocaleString('en')} in ${seconds(t).toFixed(1)} s`);

    await createAccounts(app, system, {
      accounts: [
        { id: 'bench-equity', ledger: 'VES', code: 'operator_equity' },
        {
          id: 'bench-fund',
          ledger: 'VES',
          code: 'programme_fund',
          flags: { debitsMustNotExceedCredits: true },
        },
      ],
    });
    await createTransfers(app, system, {
      transfers: [
        {
          id: 'bench-funding',
          debitAccountId: 'bench-equity',
          creditAccountId: 'bench-fund',
          amount: 10n ** 15n,
          ledger: 'VES',
          code: 'funding',
        },
      ],
    });
    await configureProvider(app, { actor: systemActor('bench-admin') }, 'banco-bench', {
      name: 'Banco de prueba',
      kind: 'bank',
      agentId: 'BBENVECA',
      adapter: 'folder',
      endpoint: 'banco-bench',
      currency: 'VES',
      debtorName: 'Fondo de Pensiones',
      debtorAccount: '01020000000000000001',
      senderId: 'tessera',
    });
    t = process.hrtime.bigint();
    await sql`
      insert into payout_destinations
        (id, person_id, provider_id, kind, scheme, account, holder_name, created_at, created_by,
         superseded_at, superseded_by)
      select 'd-' || id, id, 'banco-bench', 'bank', 'account',
             '0102' || substr(upper(replace(id, '-', '')), 1, 30), substr(given_names || ' ' || coalesce(surname1, ''), 1, 70),
             created_at, 'bench', null, null
      from persons`.execute(db.kysely);
    console.log(`  destinations in ${seconds(t).toFixed(1)} s`);

    const preparer = officer('bench-preparer');
    t = process.hrtime.bigint();
    await db.transaction((trx) =>
      insertPayoutBatch(trx, app, preparer, {
        id: 'bench-batch',
        origin: 'bench:2026-12',
        label: 'Pensión diciembre 2026',
        fundAccountId: 'bench-fund',
        currency: 'VES',
        executionDate: '2026-12-01',
      }),
    );
    let after = '';
    for (;;) {
      const page = await db.kysely
        .selectFrom('persons')
        .select('id')
        .where('id', '>', after)
        .orderBy('id')
        .limit(5000)
        .execute();
      if (page.length === 0) break;
      after = page[page.length - 1]!.id;
      await db.transaction((trx) =>
        insertPayoutItems(
          trx,
          app,
          'bench-batch',
          page.map((p) => ({ personId: p.id, amount: 150_000n })),
        ),
      );
    }
    const createSeconds = seconds(t);
    console.log(
      `  batch of ${people.toLocaleString('en')} items created in ${createSeconds.toFixed(1)} s`,
    );
    await approvePayoutBatch(app, officer('bench-approver'), 'bench-batch');
    await sql`pragma wal_checkpoint(truncate)`.execute(db.kysely);

    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 100);
    t = process.hrtime.bigint();
    const report = await exportPayoutBatch(app, preparer, 'bench-batch');
    const exportSeconds = seconds(t);
    clearInterval(sampler);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    const file = report.exports[0]!.delivery.replace(/^file /, '');
    const fileBytes = statSync(file).size;
    console.log(
      `  exported ${report.reserved.toLocaleString('en')} as pain.001 (${mb(fileBytes)} MB) in ${exportSeconds.toFixed(1)} s`,
    );
    console.log(
      `  peak RSS: ${mb(rssBefore)} MB before the export, ${mb(rssPeak)} MB during it (+${mb(rssPeak - rssBefore)} MB)`,
    );
    const ratio = exportSeconds / limitSeconds;
    console.log(`  ratio to the ${limitSeconds} s limit: ${ratio.toFixed(2)} (at most 1 passes)`);
    console.log(
      JSON.stringify({
        bench: 'payout',
        people,
        createSeconds: Number(createSeconds.toFixed(2)),
        exportSeconds: Number(exportSeconds.toFixed(2)),
        limitSeconds,
        ratio: Number(ratio.toFixed(3)),
        fileMB: mb(fileBytes),
        rssBeforeMB: mb(rssBefore),
        rssPeakMB: mb(rssPeak),
        rssGrowthMB: mb(rssPeak - rssBefore),
        pass: ratio <= 1,
      }),
    );
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
