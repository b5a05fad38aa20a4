// bench/search: a country's registry searched and counted. Builds a registry of N people in
// households (the demo generator, straight into the tables, the name index kept by the same
// writes), then:
//   - search: p50/p99 of the registration office's query — a given name and a surname as a
//     registrar types them, with a partial birth date (the year; then the full date) — through
//     `searchPersons` (audit included), and the same queries the old way (every word as
//     `LIKE '% word%'` over every row) at the same N: the ratio old/new. Target (issue 15):
//     p99 under 50 ms at 10,000,000.
//   - reports: the registry statistics (region × age band × sex), the dry run of a rule, and a
//     cycle's exclusion report (a pension for everyone of 60 or more: freeze and generation
//     are timed on the way), each printed with its time.
// SQLite at --people (default 1,000,000); PostgreSQL at --pg-people (default 0: skipped) on
// TESSERA_BENCH_DATABASE_URL or a throwaway local server. --db FILE keeps the SQLite registry
// in FILE and reuses it when it is there. Every loop is bounded by --queries.
// Usage: npx tsx bench/search.ts [--people N] [--pg-people N] [--queries Q] [--db FILE] [--no-reports]
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { sql, type RawBuilder } from 'kysely';
import pg from 'pg';
import { appContext } from '../src/app';
import { migrateToLatest, openDatabase, type Database } from '../src/db';
import { migrations, permissionMatrix } from '../src/modules';
import { registryStatistics } from '../src/privacy';
import {
  createCycle,
  createProgramme,
  dryRunRule,
  exclusionReport,
  freezeCycle,
  generateEntitlements,
} from '../src/programs';
import { generateDemoPeople, nameIndexCondition, searchPersons } from '../src/registry';
import { resolveGrants, systemActor } from '../src/shared/access';
import type { AppContext, Caller } from '../src/shared/context';
import { defaultRegions } from '../src/shared/regions';
import { foldForSearch } from '../src/shared/text';
import { startLocalPostgres } from '../test/support/local-pg';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const people = arg('--people', 1_000_000);
const pgPeople = arg('--pg-people', 0);
const queries = arg('--queries', 300);
const dbIndex = process.argv.indexOf('--db');
const keptFile = dbIndex > 0 ? process.argv[dbIndex + 1] : undefined;
const reports = !process.argv.includes('--no-reports');
// The old query is a full scan: a few of them give its median without taking the hour.
const oldQueries = 5;
const p99LimitMs = 50;
const system: Caller = { actor: systemActor('bench') };
const registrar: Caller = {
  actor: {
    kind: 'staff',
    id: 'bench-registrar',
    grants: resolveGrants(permissionMatrix, [{ role: 'registrar', regions: '*' }]),
  },
  purpose: 'enrolment',
  origin: 'bench',
};
const analyst: Caller = {
  actor: {
    kind: 'staff',
    id: 'bench-analyst',
    grants: resolveGrants(permissionMatrix, [{ role: 'analyst', regions: '*' }]),
  },
  origin: 'bench',
};

const ms = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e6;
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}
async function timed<T>(what: string, fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t = process.hrtime.bigint();
  const value = await fn();
  const took = ms(t);
  console.log(`  ${what}: ${(took / 1000).toFixed(2)} s`);
  return { value, ms: took };
}

interface Sample {
  words: string;
  year: string;
  date: string;
}

/** People to look for, drawn evenly by registry number: a given name, a surname, their date. */
async function samples(db: Database, count: number): Promise<Sample[]> {
  const found: Sample[] = [];
  for (let i = 0; found.length < count && i < count * 3; i++) {
    const from = String(Math.floor(((i * 0.6180339887) % 1) * 1e11)).padStart(11, '0');
    const at = `${from.slice(0, 4)}-${from.slice(4, 8)}-${from.slice(8)}`;
    const row = await db.kysely
      .selectFrom('persons')
      .select(['given_names', 'surname1', 'birth_date', 'search_name'])
      .where('registry_number', '>=', at)
      .orderBy('registry_number')
      .limit(1)
      .executeTakeFirst();
    if (!row) continue;
    const given = foldForSearch(row.given_names).split(' ')[0]!;
    const surname = row.surname1 ? foldForSearch(row.surname1).split(' ')[0]! : '';
    found.push({
      words: [given, surname].filter((w) => w.length > 0).join(' '),
      year: row.birth_date.slice(0, 4),
      date: row.birth_date.length === 10 ? row.birth_date : `${row.birth_date.slice(0, 4)}-06-15`,
    });
  }
  return found;
}

/**
 * The search's two queries (exact names, then the page of the others) as searchPersons
 * issues them, without its transaction and audit: through the name index, or the old way
 * with every word a LIKE over every row.
 */
async function searchQueries(db: Database, s: Sample, birthDate: string, indexed: boolean) {
  const words = s.words.split(' ');
  const coarser = [birthDate.slice(0, 4), birthDate.slice(0, 7)].filter(
    (d) => d.length < birthDate.length,
  );
  let q = db.kysely.selectFrom('persons').selectAll();
  for (const w of words) q = q.where(sql<boolean>`(' ' || search_name || ' ') like ${`% ${w}%`}`);
  const condition = indexed ? nameIndexCondition(db.engine, words, birthDate) : null;
  if (condition) q = q.where(condition);
  q = q.where((eb) =>
    eb.or([
      eb('birth_date', 'like', `${birthDate}%`),
      ...(coarser.length > 0 ? [eb('birth_date', 'in', coarser)] : []),
    ]),
  );
  const exact = await q
    .where('search_name', '=', words.join(' '))
    .orderBy('id')
    .limit(50)
    .execute();
  const rest = await q
    .where('search_name', '<>', words.join(' '))
    .orderBy('id')
    .limit(51)
    .execute();
  return exact.length + rest.length;
}

async function measureSearch(app: AppContext, db: Database, count: number) {
  const picked = await samples(db, queries);
  const run = async (birthDate: (s: Sample) => string) => {
    const times: number[] = [];
    let returned = 0;
    for (const s of picked) {
      const t = process.hrtime.bigint();
      const page = await searchPersons(app, registrar, { q: s.words, birthDate: birthDate(s) });
      times.push(ms(t));
      returned += page.items.length;
    }
    return { times, returned };
  };
  // One pass first so that both timed passes read a warm cache, as a working office does.
  await run((s) => s.year);
  const year = await run((s) => s.year);
  const date = await run((s) => s.date);
  const figures = {
    queries: picked.length,
    yearP50Ms: round(quantile(year.times, 0.5), 2),
    yearP99Ms: round(quantile(year.times, 0.99), 2),
    yearMeanReturned: round(year.returned / picked.length),
    dateP50Ms: round(quantile(date.times, 0.5), 2),
    dateP99Ms: round(quantile(date.times, 0.99), 2),
  };
  console.log(
    `  name + birth year (${picked.length} queries, e.g. "${picked[0]?.words}" ${picked[0]?.year}): ` +
      `p50 ${figures.yearP50Ms} ms, p99 ${figures.yearP99Ms} ms (limit < ${p99LimitMs}), ` +
      `${figures.yearMeanReturned} people a page on average`,
  );
  console.log(`  name + full date: p50 ${figures.dateP50Ms} ms, p99 ${figures.dateP99Ms} ms`);
  const bare: number[] = [];
  for (const s of picked) {
    const t = process.hrtime.bigint();
    await searchQueries(db, s, s.year, true);
    bare.push(ms(t));
  }
  const queryP50 = quantile(bare, 0.5);
  const queryP99 = quantile(bare, 0.99);
  console.log(
    `  the same two queries alone, without transaction and audit: p50 ${round(queryP50, 2)} ms, p99 ${round(queryP99, 2)} ms`,
  );
  const old: number[] = [];
  for (const s of picked.slice(0, oldQueries)) {
    const t = process.hrtime.bigint();
    await searchQueries(db, s, s.year, false);
    old.push(ms(t));
  }
  const oldP50 = quantile(old, 0.5);
  const ratio = round(oldP50 / queryP50, 0);
  console.log(
    `  the old LIKE scan, same queries (${old.length}): p50 ${round(oldP50)} ms — the index is ${ratio}× faster`,
  );
  return {
    ...figures,
    queriesAloneP50Ms: round(queryP50, 2),
    queriesAloneP99Ms: round(queryP99, 2),
    oldLikeQueries: old.length,
    oldLikeP50Ms: round(oldP50),
    ratioOldToNew: ratio,
    p99UnderLimit: figures.yearP99Ms < p99LimitMs,
    people: count,
  };
}

async function measureReports(app: AppContext) {
  const regions = Object.keys(defaultRegions);
  const stats = await timed('registry statistics (region × age band × sex)', () =>
    registryStatistics(app, analyst, { by: ['region', 'ageBand', 'sex'] }),
  );
  const rule = 'age >= 60';
  const dry = await timed(`dry run of "${rule}"`, () =>
    dryRunRule(app, system, { rule, kind: 'basket', target: 'person', regions, samples: 0 }),
  );
  const programme = await createProgramme(app, system, {
    code: 'bench_pension',
    kind: 'basket',
    target: 'person',
    schedule: 'monthly',
    name: { es: 'Pensión', en: 'Pension' },
    rule,
    benefit: {
      kind: 'basket',
      items: [{ code: 'rice', name: { es: 'Arroz', en: 'Rice' }, quantity: 2, unit: 'kg' }],
    },
    coPayment: 0n,
    currency: 'VES',
    serviceAreas: regions.map((regionCode) => ({ regionCode })),
    retentionDays: 365,
    stagger: [0, 0, 1, 1, 2, 2, 3, 3, 4, 4],
  });
  const cycle = await createCycle(app, system, {
    programmeId: programme.id,
    label: '2026-12',
    opensOn: '2026-12-01',
    closesOn: '2026-12-31',
  });
  const frozen = await timed('freeze', () => freezeCycle(app, system, cycle.id));
  const generated = await timed('generate', () => generateEntitlements(app, system, cycle.id));
  const exclusion = await timed('exclusion report', () => exclusionReport(app, system, cycle.id));
  return {
    statisticsSeconds: round(stats.ms / 1000, 2),
    statisticsCells: stats.value.cells.length,
    dryRunRule: rule,
    dryRunSelected: dry.value.total,
    dryRunSeconds: round(dry.ms / 1000, 2),
    freezeSeconds: round(frozen.ms / 1000, 2),
    eligible: frozen.value.eligibleCount,
    generateSeconds: round(generated.ms / 1000, 2),
    entitlements: generated.value.entitlementCount,
    exclusionReportSeconds: round(exclusion.ms / 1000, 2),
    exclusionRegions: exclusion.value.regions.length,
  };
}

const poolSize = 100_000;
const batchRows = 100_000;

/**
 * N people straight into `persons`, by the database itself: a pool of demo people (names,
 * sex, region, date precision as the demo generator makes them) is written once, and each
 * batch is one `INSERT … SELECT` that takes person i's names from a scrambled pool row and
 * shifts its birth date by i, so that no two people share a name and date more than the demo
 * would. The name index is kept by the same writes as in production (triggers on SQLite, the
 * GIN index on PostgreSQL). No households: none of the timed queries needs them.
 */
async function buildRegistry(db: Database, count: number): Promise<void> {
  await sql`create table bench_pool (k integer primary key, given_names text, surname1 text,
    surname2 text, sex text, region_code text, locality text, search_name text, y integer,
    mm integer, dd integer, len integer)`.execute(db.kysely);
  const pool: Record<string, unknown>[] = [];
  for (const family of generateDemoPeople(poolSize, 15))
    for (const p of family)
      pool.push({
        k: pool.length,
        given_names: p.givenNames,
        surname1: p.surname1,
        surname2: p.surname2,
        sex: p.sex,
        region_code: p.regionCode,
        locality: p.locality,
        search_name: foldForSearch([p.givenNames, p.surname1 ?? '', p.surname2 ?? ''].join(' ')),
        y: Number(p.birthDate.slice(0, 4)),
        mm: Number(p.birthDate.slice(5, 7) || 1),
        dd: Number(p.birthDate.slice(8, 10) || 1),
        len: p.birthDate.length,
      });
  await db.transaction(async (trx) => {
    for (let i = 0; i < pool.length; i += 5000)
      await db.insertMany(trx, 'bench_pool' as never, pool.slice(i, i + 5000));
  });
  const now = new Date().toISOString();
  const stamp = Math.floor(Date.now() / 1000);
  for (let from = 0; from < count; from += batchRows) {
    const to = Math.min(count, from + batchRows);
    const rows =
      db.engine === 'sqlite'
        ? sql`with recursive n(i) as (select ${sql.lit(from)} union all select i + 1 from n where i < ${sql.lit(to - 1)})
          select i, printf('%08x-0000-7000-8000-%012x', ${sql.lit(stamp)}, i) as id,
            printf('%011d', (i * 6364136223 + 1357911) % 100000000000) as digits,
            1940 + (p.y - 1940 + (i / ${sql.lit(poolSize)}) * 17) % 86 as yr, p.*
          from n join bench_pool p on p.k = (i * 7919) % ${sql.lit(pool.length)}`
        : sql`select i, format('%s-0000-7000-8000-%s', lpad(to_hex(${stamp}::bigint), 8, '0'), lpad(to_hex(i), 12, '0')) as id,
            lpad(((i * 6364136223 + 1357911) % 100000000000)::text, 11, '0') as digits,
            1940 + (p.y - 1940 + (i / ${sql.lit(poolSize)}) * 17) % 86 as yr, p.*
          from generate_series(${from}::bigint, ${to - 1}::bigint) i join bench_pool p on p.k = (i * 7919) % ${sql.lit(pool.length)}`;
    const pad2 = (x: RawBuilder<unknown>) =>
      db.engine === 'sqlite' ? sql`substr('00' || ${x}, -2)` : sql`lpad(${x}, 2, '0')`;
    const day = pad2(sql`cast(1 + (g.dd - 1 + g.i / ${sql.lit(poolSize)}) % 28 as text)`);
    const month = pad2(sql`cast(g.mm as text)`);
    await db.transaction(async (trx) => {
      await sql`insert into persons (id, registry_number, external_id, given_names, surname1,
          surname2, birth_date, birth_date_precision, sex, region_code, locality, status,
          attributes, search_name, version, created_at, created_by, updated_at, updated_by)
        select g.id, substr(g.digits, 1, 4) || '-' || substr(g.digits, 5, 4) || '-' || substr(g.digits, 9, 3) || '0',
          null, g.given_names, g.surname1, g.surname2,
          case g.len when 4 then cast(g.yr as text)
            when 7 then cast(g.yr as text) || '-' || ${month}
            else cast(g.yr as text) || '-' || ${month} || '-' || ${day} end,
          case g.len when 4 then 'year' when 7 then 'month' else 'day' end,
          g.sex, g.region_code, g.locality, 'active', '{}', g.search_name, 1,
          ${now}, 'system:bench', ${now}, 'system:bench'
        from (${rows}) g`.execute(trx);
    });
    if (to % 1_000_000 === 0 || to === count)
      console.log(`  registry: ${to.toLocaleString('en')} of ${count.toLocaleString('en')}`);
  }
  await sql`drop table bench_pool`.execute(db.kysely);
}

async function measure(db: Database, count: number, reuse: boolean) {
  await migrateToLatest(db, migrations);
  const app = appContext(db, {
    regions: defaultRegions,
    dataKey: randomBytes(32),
    statsCellMin: 10,
    // Metered as in production, under a limit that the bench's searches do not reach.
    readLimitPerHour: 1_000_000_000,
  });
  let buildSeconds: number | null = null;
  if (!reuse) {
    const t = process.hrtime.bigint();
    await buildRegistry(db, count);
    buildSeconds = ms(t) / 1000;
    console.log(
      `  built in ${buildSeconds.toFixed(0)} s (${Math.round(count / buildSeconds).toLocaleString('en')} people/s, name index included)`,
    );
    if (db.engine === 'postgres') await sql`vacuum analyze`.execute(db.kysely);
  }
  const search = await measureSearch(app, db, count);
  const report = reports ? await measureReports(app) : {};
  return { ...search, buildSeconds: buildSeconds && round(buildSeconds), ...report };
}

console.log(
  `load average at start: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
const figures: Record<string, unknown> = {};
const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-search-'));
try {
  if (people > 0) {
    const file = keptFile ?? join(dir, 'search.db');
    const reuse = keptFile !== undefined && existsSync(keptFile);
    console.log(
      `sqlite, ${people.toLocaleString('en')} people${reuse ? ` (reusing ${file})` : ''}`,
    );
    const sqlite = await openDatabase({ url: file });
    const persons = reuse
      ? Number(
          (await sql<{ n: number }>`select count(*) as n from persons`.execute(sqlite.kysely))
            .rows[0]!.n,
        )
      : people;
    figures.sqlite = await measure(sqlite, persons, reuse);
    await sqlite.close();
  }
  if (pgPeople > 0) {
    console.log(`postgres, ${pgPeople.toLocaleString('en')} people`);
    const own = process.env.TESSERA_BENCH_DATABASE_URL ? null : await startLocalPostgres();
    const admin = process.env.TESSERA_BENCH_DATABASE_URL ?? own!.url;
    const name = `bench_search_${process.pid}`;
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(`create database ${name}`);
    await client.end();
    try {
      const db = await openDatabase({ url: admin.replace(/\/[^/?]*(\?|$)/, `/${name}$1`) });
      figures.postgres = await measure(db, pgPeople, false);
      await db.close();
    } finally {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
      own?.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
figures.loadAverageAtEnd = round(loadavg()[0]!, 1);
console.log(JSON.stringify(figures));
