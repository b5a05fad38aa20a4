// The enrolment check against the blocking index in the database (issue 15): a generated
// registry of N people (default 1,000,000) with their blocking keys in a SQLite file, then
// single enrolment checks — half of them people already registered (with clerical errors),
// half new — each fetching its candidates per key with the caps, reading them from persons
// and scoring them, as screenPerson does. Prints the build time, p50/p99/max of one check,
// the process's RSS, and the p99 against a bare indexed lookup of one key measured in the
// same run and against the 20 ms target. Names and places come from
// ../shared/data/dedup/registry_es.csv (see dedup-scale.ts).
// Run: npx tsx bench/dedup-stored.ts [--people N] [--checks N] [--keep FILE.db] [--reuse FILE.db]
// (--keep keeps the built database; --reuse checks against one kept before, without building.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { migrateToLatest, openDatabase } from '../src/db';
import { migrations } from '../src/modules';
import {
  findCandidates,
  keyRowsOf,
  matchColumns,
  matchRecordOf,
  prepareRecord,
} from '../src/dedup/index';
import type { MatchRecord } from '../src/dedup/index';
import { personRowOf } from '../src/dedup';
import { dedupDataDir, loadRegistryLayout, seededRandom } from './dedup-data';
import { duplicateOf, generateRegistry, newPerson, vocabularyOf } from './dedup-scale';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const people = Number(argValue('--people') ?? 1_000_000);
const checks = Number(argValue('--checks') ?? 2_000);
const p99TargetMs = 20;
const now = (): number => performance.now();
const mib = (bytes: number): number => Math.round(bytes / 2 ** 20);

const dir = mkdtempSync(join(tmpdir(), 'tessera-dedup-stored-'));
const reuse = argValue('--reuse');
const url = reuse ?? argValue('--keep') ?? join(dir, 'bench.db');
const db = await openDatabase({ url });
await migrateToLatest(db, migrations);
// The key table's index is built after the rows (a sort), not row by row: inserting
// random keys into a B-tree larger than the page cache is what made the build slow.
const keyIndex = 'dedup_block_keys_scan';
if (reuse === undefined) await sql`drop index if exists ${sql.raw(keyIndex)}`.execute(db.kysely);
const vocabulary = vocabularyOf(loadRegistryLayout(join(dedupDataDir, 'registry_es.csv')).records);

let peakRss = process.memoryUsage().rss;
const sample = (): void => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};

// Build: persons rows and their keys, in transactions of a page; a bounded sample of the
// records is kept for the repeat checks, never the registry itself.
const buildStarted = now();
const random = seededRandom(7);
const kept: MatchRecord[] = [];
const at = new Date(0).toISOString();
let records = 0;
let keyRows = 0;
let page: MatchRecord[] = [];
const flush = async (): Promise<void> => {
  const rows = page;
  page = [];
  await db.transaction(async (trx) => {
    await db.insertMany(
      trx,
      'persons',
      rows.map((r, i) => personRowOf(r, `B${records - rows.length + i}`, at, 'bench')),
    );
    const keys = rows.flatMap((r) => keyRowsOf(r.id, prepareRecord(r)));
    keyRows += keys.length;
    await db.insertMany(trx, 'dedup_block_keys', keys);
  });
};
if (reuse !== undefined) {
  // A kept registry: a sample of its persons stands for the records kept while building.
  const sampled = await db.kysely
    .selectFrom('persons')
    .select(matchColumns)
    .orderBy(sql`random()`)
    .limit(checks)
    .execute();
  kept.push(...sampled.map((row) => matchRecordOf(row, null)));
  const counted = await db.kysely
    .selectFrom('persons')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  records = Number(counted.n);
  const keyed = await db.kysely
    .selectFrom('dedup_block_keys')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  keyRows = Number(keyed.n);
} else
  for (const r of generateRegistry(people, 0.03, vocabulary, random)) {
    // Ids sort in insertion order, as UUIDv7 do.
    const record = { ...r, id: `P${String(records).padStart(9, '0')}${r.id}` };
    records++;
    page.push(record);
    if (kept.length < checks) kept.push(record);
    else if (random() < checks / records) kept[Math.floor(random() * checks)] = record;
    if (page.length === 10_000) {
      await flush();
      sample();
      if (records % 200_000 < 10_000)
        process.stderr.write(
          `  built ${records} records, ${((now() - buildStarted) / 1000).toFixed(0)} s\n`,
        );
    }
  }
if (page.length > 0) await flush();
if (reuse === undefined) {
  const t = now();
  await sql`create index ${sql.raw(keyIndex)} on dedup_block_keys (block_key, refine1, refine2, person_id)`.execute(
    db.kysely,
  );
  process.stderr.write(`  key index built in ${((now() - t) / 1000).toFixed(0)} s\n`);
}
sample();
const buildSeconds = (now() - buildStarted) / 1000;
console.log(
  `# ${records} records of ${people} people, ${keyRows} key rows in SQLite; built in ${buildSeconds.toFixed(0)} s; peak RSS while building ${mib(peakRss)} MiB`,
);

// Checks.
const rssBeforeChecks = process.memoryUsage().rss;
peakRss = rssBeforeChecks;
const options = { documentAttribute: null, matchOptions: {}, engine: 'sqlite' as const };
const times: number[] = [];
let found = 0;
let compared = 0;
for (let k = 0; k < checks; k++) {
  const isRepeat = k % 2 === 0;
  const existing = kept[k % kept.length];
  const probe =
    isRepeat && existing !== undefined
      ? duplicateOf(existing, `probe${k}`, random)
      : newPerson(`probe${k}`, vocabulary, random);
  const t = now();
  const result = await findCandidates(db.kysely, options, probe, new Map());
  times.push(now() - t);
  compared += result.length;
  if (isRepeat && result.length > 0) found++;
  if (k % 100 === 0) sample();
}
sample();
times.sort((a, b) => a - b);
const pct = (q: number): number =>
  times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;

// The bare floor: one indexed lookup of one key, the least a check can cost.
const bare: number[] = [];
for (let k = 0; k < checks; k++) {
  const probe = prepareRecord(newPerson(`bare${k}`, vocabulary, random));
  const key = keyRowsOf(probe.id, probe)[0]?.block_key ?? 0;
  const t = now();
  await db.kysely
    .selectFrom('dedup_block_keys')
    .select('person_id')
    .where('block_key', '=', key)
    .limit(101)
    .execute();
  bare.push(now() - t);
}
bare.sort((a, b) => a - b);
const bareP99 = bare[Math.floor(0.99 * bare.length)] ?? 0;

const p99 = pct(0.99);
console.log(
  `enrolment check against ${records}: median ${pct(0.5).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${pct(1).toFixed(2)} ms; ` +
    `repeats flagged ${found}/${checks / 2}; p99 / ${p99TargetMs} ms target ${(p99 / p99TargetMs).toFixed(2)}; ` +
    `p99 / bare one-key lookup p99 (${bareP99.toFixed(3)} ms) ${(p99 / Math.max(bareP99, 1e-6)).toFixed(1)}`,
);
console.log(
  `RSS before the checks ${mib(rssBeforeChecks)} MiB, peak during them ${mib(peakRss)} MiB (the index is in the database, not the heap)`,
);
await db.close();
if (argValue('--keep') === undefined && reuse === undefined)
  rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    records,
    people,
    keyRows,
    buildSeconds: Math.round(buildSeconds),
    checks,
    p50Ms: Number(pct(0.5).toFixed(3)),
    p99Ms: Number(p99.toFixed(3)),
    maxMs: Number(pct(1).toFixed(3)),
    p99OverTarget: Number((p99 / p99TargetMs).toFixed(3)),
    bareLookupP99Ms: Number(bareP99.toFixed(3)),
    repeatsFlagged: found,
    candidatesFlagged: compared,
    rssBeforeChecksMiB: mib(rssBeforeChecks),
    peakRssDuringChecksMiB: mib(peakRss),
  }),
);
