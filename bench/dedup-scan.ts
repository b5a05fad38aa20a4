// The registry-wide duplicate scan read block by block from the key table (issue 15), on
// SQLite. Two parts:
//  1. registry_es.csv (../shared/data/dedup) stored as persons and scanned by `runDedupBatch`:
//     precision and recall of the review queue it fills, beside the in-memory block plan's
//     pairs on the same records (the same blocks and scorer: the figures must be equal).
//  2. a generated registry of N people (default 100,000, 3% enrolled twice), written with its
//     keys as it is generated: records/s and key rows/s of the scan, peak RSS, the database's
//     size, planted duplicates found, and two limits timed in the same run — reading the key
//     rows alone (the floor of any scan by key), and the in-memory scan (findDuplicatePairs)
//     of the same records, or of the first 200,000 on a larger registry (it holds them all:
//     about 2.8 GiB a million) — and the minutes 10,000,000 would take at the measured rate.
//     Last line: JSON.
// Run: npx tsx bench/dedup-scan.ts [--people N] [--threads N] [--profile DIR (a CPU profile of the
// scan's main thread)]
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { appContext } from '../src/app';
import { migrateToLatest, openDatabase, type Database } from '../src/db';
import { migrations } from '../src/modules';
import {
  blockRecordsMax,
  findDuplicatePairs,
  keyRowsOf,
  matchColumns,
  matchRecordOf,
  pairKey,
  planBlocks,
  prepareRecord,
  registerDedup,
  runDedupBatch,
  scanPairs,
  scorer,
  weakBlockRecordsMax,
} from '../src/dedup/index';
import type { MatchRecord } from '../src/dedup/index';
import { personRowOf, readKeyPage } from '../src/dedup';
import { systemActor } from '../src/shared/access';
import { defaultRegions } from '../src/shared/regions';
import { dedupDataDir, loadRegistryLayout, seededRandom } from './dedup-data';
import type { LabelledSet } from './dedup-data';
import { generateRegistry, vocabularyOf } from './dedup-scale';

/** A CPU profile of the scan alone, written to DIR when given (--profile DIR). */
async function startProfile(dir: string | undefined): Promise<{ stop(): Promise<void> }> {
  if (dir === undefined) return { stop: async () => {} };
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `scan-${process.pid}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
    },
  };
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const people = Number(argValue('--people') ?? 100_000);
const now = (): number => performance.now();
const mib = (kib: number): number => Math.round(kib / 1024);
const round = (x: number): number => Math.round(x * 10_000) / 10_000;
const system = { actor: systemActor('bench') };
const dir = mkdtempSync(join(tmpdir(), 'tessera-dedup-scan-'));

async function freshDatabase(name: string): Promise<Database> {
  const db = await openDatabase({ url: join(dir, `${name}.db`) });
  await migrateToLatest(db, migrations);
  return db;
}

function appOf(db: Database) {
  const app = appContext(db, {
    regions: defaultRegions,
    dataKey: randomBytes(32),
    statsCellMin: 10,
  });
  registerDedup(app);
  return app;
}

async function storePersons(
  db: Database,
  records: readonly MatchRecord[],
  withKeys: boolean,
  firstNumber = 0,
): Promise<void> {
  const at = new Date(0).toISOString();
  for (let from = 0; from < records.length; from += 10_000) {
    const page = records.slice(from, from + 10_000);
    await db.transaction(async (trx) => {
      await db.insertMany(
        trx,
        'persons',
        page.map((r, i) => personRowOf(r, `B${firstNumber + from + i}`, at, 'bench')),
      );
      if (withKeys)
        await db.insertMany(
          trx,
          'dedup_block_keys',
          page.flatMap((r) => keyRowsOf(r.id, prepareRecord(r))),
        );
    });
  }
}

async function queuedPairs(db: Database): Promise<Set<string>> {
  const rows = await db.kysely.selectFrom('dedup_pairs').select('pair_key').execute();
  return new Set(rows.map((r) => r.pair_key));
}

function precisionRecall(set: LabelledSet, positives: Iterable<string>) {
  const sizes = new Map<string, number>();
  for (const r of set.records) {
    const p = set.personOf.get(r.id) ?? r.id;
    sizes.set(p, (sizes.get(p) ?? 0) + 1);
  }
  let truePairs = 0;
  for (const s of sizes.values()) truePairs += (s * (s - 1)) / 2;
  let tp = 0;
  let fp = 0;
  for (const key of positives) {
    const [a, b] = key.split(':');
    if (set.personOf.get(a ?? '') === set.personOf.get(b ?? '')) tp++;
    else fp++;
  }
  return {
    truePairs,
    positives: tp + fp,
    precision: round(tp + fp === 0 ? 1 : tp / (tp + fp)),
    recall: round(truePairs === 0 ? 1 : tp / truePairs),
  };
}

/** The in-memory block plan's positive pairs (the same blocks and scorer as the scan). */
function plannedPairs(records: readonly MatchRecord[]): Set<string> {
  const prepared = records.map(prepareRecord);
  const plan = planBlocks(prepared, { blockRecordsMax, weakBlockRecordsMax });
  const keys = new Set<string>();
  for (const hit of scanPairs(prepared, plan, scorer({}), { shard: 0, shards: 1 }))
    keys.add(pairKey(hit.pair.leftId, hit.pair.rightId));
  return keys;
}

// 1. The labelled file.
const registry = loadRegistryLayout(join(dedupDataDir, 'registry_es.csv'));
const labelledDb = await freshDatabase('labelled');
await storePersons(labelledDb, registry.records, false);
await runDedupBatch(appOf(labelledDb), system);
const scanned = await queuedPairs(labelledDb);
// The plan is given the records as the scan reads them back (persons hold no e-mail, address
// or document column here), so that the two see the same data.
const storedRows = await labelledDb.kysely
  .selectFrom('persons')
  .select(matchColumns)
  .orderBy('id')
  .execute();
const planned = plannedPairs(storedRows.map((row) => matchRecordOf(row, null)));
const scanFigures = precisionRecall(registry, scanned);
const planFigures = precisionRecall(registry, planned);
const samePairs = scanned.size === planned.size && [...planned].every((k) => scanned.has(k));
await labelledDb.close();
console.log(
  `# registry_es.csv (${registry.records.length} records, ${scanFigures.truePairs} true pairs)\n` +
    `scan by block key (review queue): precision ${scanFigures.precision} recall ${scanFigures.recall} (${scanFigures.positives} pairs)\n` +
    `in-memory block plan, same scorer: precision ${planFigures.precision} recall ${planFigures.recall} (${planFigures.positives} pairs); same pairs: ${samePairs}`,
);

// 2. The generated registry, written as it is generated (pages of 10,000), so that the bench
// holds no copy of it: the peak RSS of the scan is the scan's own.
const vocabulary = vocabularyOf(registry.records);
const planted = new Map<string, string>();
const scaleDb = await freshDatabase('scale');
const buildStarted = now();
await sql`drop index if exists dedup_block_keys_scan`.execute(scaleDb.kysely);
let recordCount = 0;
let lastId = '';
let pageRecords: MatchRecord[] = [];
// The in-memory scan (the limit) holds the whole registry: it runs on the first records only.
const inMemoryRecordsMax = 200_000;
const inMemorySample: MatchRecord[] = [];
for (const r of generateRegistry(people, 0.03, vocabulary, seededRandom(7))) {
  if (r.id.endsWith('d')) planted.set(r.id, r.id.slice(0, -1));
  if (inMemorySample.length < inMemoryRecordsMax) inMemorySample.push(r);
  pageRecords.push(r);
  recordCount++;
  lastId = r.id;
  if (pageRecords.length === 10_000) {
    await storePersons(scaleDb, pageRecords, true, recordCount - pageRecords.length);
    pageRecords = [];
    if (recordCount % 1_000_000 === 0)
      console.log(
        `  stored ${recordCount} records (${((now() - buildStarted) / 1000).toFixed(0)} s)`,
      );
  }
}
await storePersons(scaleDb, pageRecords, true, recordCount - pageRecords.length);
pageRecords = [];
await sql`create index dedup_block_keys_scan on dedup_block_keys (block_key, refine1, refine2, person_id)`.execute(
  scaleDb.kysely,
);
// Keyed as `tessera dedup keys` leaves it: the watermark at the newest person.
await scaleDb.kysely
  .insertInto('dedup_key_progress')
  .values({ name: 'persons', last_id: lastId })
  .execute();
const buildSeconds = (now() - buildStarted) / 1000;
// The floor measured in the same run: reading every key row in key order, doing nothing else.
const readStarted = now();
let keyRowsRead = 0;
for (let after = -1; ;) {
  const page = await readKeyPage(scaleDb.kysely, after, 20_000);
  if (page === undefined) break;
  keyRowsRead += page.rowCount;
  after = page.lastKey;
  if (page.isLast) break;
}
const keyReadSeconds = (now() - readStarted) / 1000;
const rssBefore = mib(process.resourceUsage().maxRSS);
const load = loadavg()[0] ?? 0;
const scanStarted = now();
const profiler = await startProfile(argValue('--profile'));
const threads = argValue('--threads');
let lastProgress = now();
const report = await runDedupBatch(appOf(scaleDb), system, {
  ...(threads === undefined ? {} : { threads: Number(threads) }),
  onProgress: (done, total) => {
    if (now() - lastProgress < 60_000) return;
    lastProgress = now();
    console.log(
      `  scanned ${done} of ${total} key rows (${((now() - scanStarted) / 1000).toFixed(0)} s)`,
    );
  },
});
await profiler.stop();
const scanSeconds = (now() - scanStarted) / 1000;
const peakRssScan = mib(process.resourceUsage().maxRSS);
const dbBytes = ['scale.db', 'scale.db-wal']
  .map((f) => join(dir, f))
  .filter((f) => existsSync(f))
  .reduce((sum, f) => sum + statSync(f).size, 0);
const queued = await queuedPairs(scaleDb);
let plantedFound = 0;
for (const [twin, original] of planted) if (queued.has(pairKey(twin, original))) plantedFound++;
await scaleDb.close();

// The limit measured in the same run: the in-memory scan of the same records (of the first
// inMemoryRecordsMax of them, on a larger registry), as records per second.
const memoryStarted = now();
let memoryPairs = 0;
for (const pair of findDuplicatePairs(inMemorySample, { explain: false }))
  if (pair.outcome !== 'distinct') memoryPairs++;
const memorySeconds = (now() - memoryStarted) / 1000;
const memoryRate = inMemorySample.length / memorySeconds;
rmSync(dir, { recursive: true, force: true });

const recordsPerSecond = Math.round(recordCount / scanSeconds);
const minutesFor10M = Math.round((10_000_000 / recordsPerSecond / 60) * 10) / 10;
const sample =
  inMemorySample.length === recordCount
    ? 'the same records'
    : `its first ${inMemorySample.length} records`;
console.log(
  `# ${recordCount} records of ${people} people, ${report.keyRowsTotal} key rows, ${(dbBytes / 2 ** 30).toFixed(1)} GiB on disk; built in ${buildSeconds.toFixed(0)} s; load ${load.toFixed(1)} on 2 cores\n` +
    `scan by block key: ${scanSeconds.toFixed(1)} s, ${recordsPerSecond} records/s, ${Math.round(report.keyRowsTotal / scanSeconds)} key rows/s; ` +
    `${report.comparedCount} pairs compared (${(report.comparedCount / recordCount).toFixed(1)} a record); ${report.pairsNew} pairs queued, planted found ${plantedFound}/${planted.size}; blocks split ${report.blocksSplit}, left out ${report.blocksDropped}; ` +
    `peak RSS ${peakRssScan} MiB (before the scan ${rssBefore} MiB)\n` +
    `reading the key rows alone: ${keyReadSeconds.toFixed(1)} s (${keyRowsRead} rows); scan / key read time ${(scanSeconds / keyReadSeconds).toFixed(2)}\n` +
    `in-memory scan of ${sample}: ${memorySeconds.toFixed(1)} s (${memoryPairs} pairs), ${Math.round(memoryRate)} records/s; scan rate / in-memory rate ${(recordsPerSecond / memoryRate).toFixed(2)}\n` +
    `10,000,000 records at this rate: ${minutesFor10M} min (target 20)`,
);
console.log(
  JSON.stringify({
    labelledPrecision: scanFigures.precision,
    labelledRecall: scanFigures.recall,
    planPrecision: planFigures.precision,
    planRecall: planFigures.recall,
    samePairsAsPlan: samePairs,
    records: recordCount,
    keyRows: report.keyRowsTotal,
    databaseGiB: Math.round((dbBytes / 2 ** 30) * 10) / 10,
    buildSeconds: Math.round(buildSeconds),
    scanSeconds: Math.round(scanSeconds * 10) / 10,
    recordsPerSecond,
    pairsCompared: report.comparedCount,
    pairsQueued: report.pairsNew,
    plantedFound,
    planted: planted.size,
    peakRssMiB: peakRssScan,
    rssBeforeScanMiB: rssBefore,
    keyReadSeconds: Math.round(keyReadSeconds * 10) / 10,
    scanOverKeyRead: Math.round((scanSeconds / keyReadSeconds) * 100) / 100,
    inMemoryRecords: inMemorySample.length,
    inMemorySeconds: Math.round(memorySeconds * 10) / 10,
    scanRateOverInMemoryRate: Math.round((recordsPerSecond / memoryRate) * 100) / 100,
    minutesFor10M,
    load1: Math.round(load * 10) / 10,
  }),
);
