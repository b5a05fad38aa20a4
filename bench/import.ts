// bench/import: imports N generated persons (default 1,000,000) from CSV into SQLite and
// prints persons per second, peak memory, and the ratio to a bare SQLite insert of the same
// rows measured in the same run. Targets: ≥ 50,000 persons/s and ≥ 1/3 of the bare rate,
// with flat memory. Usage: npx tsx bench/import.ts [--people N] [--no-screen]
// Also measured: the same import with duplicate screening of every row against the registry
// and the earlier rows of the file (issue 15: ≥ 1/3 of the bare rate too, memory flat).
import BetterSqlite3 from 'better-sqlite3';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemActor } from '../src/shared/access';
import { migrateToLatest, openDatabase } from '../src/db';
import { migrations } from '../src/modules';
import { registerDedup } from '../src/dedup';
import { importPersons } from '../src/registry';
import { buildPersonRow } from '../src/registry';
import { demoCsvHeader, demoCsvLine, generateDemoPeople } from '../src/registry';
import { personInput } from '../src/registry';
import { generateRegistryNumber } from '../src/registry';
import type { AppContext } from '../src/shared/context';
import { appContext } from '../src/app';
import { importBatchRows } from '../src/shared/limits';
import { defaultRegions } from '../src/shared/regions';
import { randomBytes } from 'node:crypto';

const argPeople = process.argv.indexOf('--people');
const people = argPeople > 0 ? Number(process.argv[argPeople + 1]) : 1_000_000;
const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-import-'));
const csvPath = join(dir, 'people.csv');
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MiB`;

async function writeCsv(): Promise<void> {
  const out = createWriteStream(csvPath);
  out.write(demoCsvHeader + '\n');
  for (const family of generateDemoPeople(people, 7)) {
    if (!out.write(family.map(demoCsvLine).join('\n') + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function app(db: Awaited<ReturnType<typeof openDatabase>>): AppContext {
  return appContext(db, { regions: defaultRegions, dataKey: randomBytes(32), statsCellMin: 10 });
}

/** The bare limit: the same person rows, prebuilt, inserted with one prepared statement. */
async function bareInsert(): Promise<number> {
  const path = join(dir, 'bare.db');
  const db = await openDatabase({ url: path });
  await migrateToLatest(db, migrations);
  const a = app(db);
  const rows: Record<string, unknown>[] = [];
  // ~5 collisions are expected among a million random 11-digit numbers: draw again, as the
  // import does against the table.
  const numbers = new Set<string>();
  const freshNumber = (): string => {
    for (;;) {
      const n = generateRegistryNumber();
      if (!numbers.has(n)) return (numbers.add(n), n);
    }
  };
  for (const family of generateDemoPeople(people, 7)) {
    for (const p of family) {
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
      rows.push(
        buildPersonRow(a, input, new Map(), 'bench', freshNumber()) as Record<string, unknown>,
      );
    }
  }
  await db.close();
  const raw = new BetterSqlite3(path);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  const columns = Object.keys(rows[0]!);
  const insert = raw.prepare(
    `insert into persons (${columns.join(',')}) values (${columns.map(() => '?').join(',')})`,
  );
  const batch = raw.transaction((chunk: Record<string, unknown>[]) => {
    for (const row of chunk) insert.run(columns.map((c) => row[c] ?? null));
  });
  const started = process.hrtime.bigint();
  for (let i = 0; i < rows.length; i += importBatchRows) batch(rows.slice(i, i + importBatchRows));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  raw.close();
  return rows.length / seconds;
}

async function tesseraImport(screen: boolean): Promise<{
  rate: number;
  peakRss: number;
  samples: string[];
  accepted: number;
}> {
  const db = await openDatabase({ url: join(dir, screen ? 'import-screened.db' : 'import.db') });
  await migrateToLatest(db, migrations);
  const a = app(db);
  // With screening, each row is also checked against the whole registry for duplicates
  // before it is committed (issue 5), exactly as the server and CLI wire it.
  if (screen) registerDedup(a);
  let peakRss = 0;
  const samples: string[] = [];
  const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  let nextSample = 0.25;
  const started = process.hrtime.bigint();
  const report = await importPersons(
    a,
    { actor: systemActor('bench') },
    { path: csvPath },
    {
      format: 'csv',
      sourceName: 'bench',
      onProgress: (done, total) => {
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        if (done / total >= nextSample) {
          samples.push(
            `${Math.round((100 * done) / total)}%: rss ${mb(process.memoryUsage().rss)}`,
          );
          nextSample += 0.25;
        }
      },
    },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(timer);
  await db.close();
  if (report.accepted !== people)
    throw new Error(
      `imported ${report.accepted} of ${people}: ${JSON.stringify(report.rejects.slice(0, 3))}`,
    );
  return { rate: report.accepted / seconds, peakRss, samples, accepted: report.accepted };
}

try {
  process.stderr.write(`generating ${people} persons as CSV… `);
  await writeCsv();
  process.stderr.write('done\nimporting through Tessera (check pass + write pass)… ');
  const imported = await tesseraImport(false);
  let screened: Awaited<ReturnType<typeof tesseraImport>> | null = null;
  if (!process.argv.includes('--no-screen')) {
    process.stderr.write(
      'done\nimporting again with duplicate screening against the growing registry… ',
    );
    screened = await tesseraImport(true);
  }
  process.stderr.write('done\nbare insert of the same rows… ');
  const bare = await bareInsert();
  process.stderr.write('done\n');
  const ratio = imported.rate / bare;
  console.log(`bench/import: ${people} persons into SQLite (WAL, synchronous=FULL)`);
  console.log(
    `  tessera import   ${Math.round(imported.rate).toLocaleString('en')} persons/s (CSV parse, validation, registry numbers, audit)`,
  );
  console.log(
    `  bare insert      ${Math.round(bare).toLocaleString('en')} rows/s (prebuilt rows, one prepared statement)`,
  );
  console.log(
    `  ratio            ${ratio.toFixed(2)} of bare (target ≥ 0.33)  ${ratio >= 1 / 3 ? 'ok' : 'BELOW TARGET'}`,
  );
  console.log(
    `  rate target      ${imported.rate >= 50_000 ? 'ok' : 'BELOW TARGET'} (≥ 50,000 persons/s)`,
  );
  console.log(
    `  peak RSS         ${mb(imported.peakRss)}; during import ${imported.samples.join(', ')}`,
  );
  const screenedRatio = screened ? screened.rate / bare : null;
  if (screened && screenedRatio !== null) {
    console.log(
      `  with duplicate screening of every row: ${Math.round(screened.rate).toLocaleString('en')} persons/s (${screenedRatio.toFixed(2)} of bare, target ≥ 0.33 ${screenedRatio >= 1 / 3 ? 'ok' : 'BELOW TARGET'}), peak RSS ${mb(screened.peakRss)}; ${screened.samples.join(', ')}`,
    );
  }
  const load = loadavg().map((x) => Number(x.toFixed(2)));
  console.log(
    `  load average     ${load.join(', ')} (2 cores shared: figures are lower under load)`,
  );
  console.log(
    JSON.stringify({
      people,
      importPersonsPerSecond: Math.round(imported.rate),
      screenedPersonsPerSecond: screened ? Math.round(screened.rate) : null,
      barePersonsPerSecond: Math.round(bare),
      ratio: Number(ratio.toFixed(3)),
      screenedRatio: screenedRatio === null ? null : Number(screenedRatio.toFixed(3)),
      peakRssBytes: imported.peakRss,
      screenedPeakRssBytes: screened?.peakRss ?? null,
      loadAverage: load,
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
