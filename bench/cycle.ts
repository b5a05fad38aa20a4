// bench/cycle: a country's monthly cycle. Builds a registry of N people in households (the
// demo generator, straight into the tables), then for a rule that selects about nine in ten
// of them: the dry run's time, the freeze (the rule inside the database, its set stored),
// and the generation of the cycle's entitlements — entitlements per second, peak RSS, and
// the ratio to a bare `INSERT … SELECT` of the same shape on the same tables in the same run.
// Targets (issue 11): generation at least half the bare rate; at that rate, 25,000,000
// entitlements in under 10 minutes. SQLite at --people (default 5,000,000); PostgreSQL at
// --pg-people (default 1,000,000; 0 skips it, as --people 0 skips SQLite) on TESSERA_BENCH_DATABASE_URL or a throwaway
// local server. The last line is one JSON object with the figures.
// Usage: npx tsx bench/cycle.ts [--people N] [--pg-people N] [--slice ROWS]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { appContext } from '../src/app';
import { migrateToLatest, openDatabase, type Database } from '../src/db';
import { migrations } from '../src/modules';
import {
  createCycle,
  createProgramme,
  dryRunRule,
  freezeCycle,
  generateEntitlements,
  generationSliceRows,
} from '../src/programs';
import { loadDemoRegistry } from '../src/registry';
import { systemActor } from '../src/shared/access';
import { defaultRegions } from '../src/shared/regions';
import { startLocalPostgres } from '../test/support/local-pg';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const people = arg('--people', 5_000_000);
const pgPeople = arg('--pg-people', 1_000_000);
const sliceRows = arg('--slice', generationSliceRows);
const caller = { actor: systemActor('bench') };
// Everyone of fifteen or more: about nine in ten of the demo registry.
const rule = 'age >= 15';
const country = 25_000_000;

const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function measure(db: Database, count: number) {
  await migrateToLatest(db, migrations);
  const app = appContext(db, {
    regions: defaultRegions,
    dataKey: randomBytes(32),
    statsCellMin: 10,
  });
  let t = process.hrtime.bigint();
  let lastShown = 0;
  await loadDemoRegistry(app, caller, {
    people: count,
    seed: 11,
    onProgress: (done) => {
      if (done - lastShown >= 1_000_000 || done === count) {
        lastShown = done;
        console.log(`  registry: ${done.toLocaleString('en')} of ${count.toLocaleString('en')}`);
      }
    },
  });
  const registrySeconds = seconds(t);
  console.log(
    `  registry of ${count.toLocaleString('en')} built in ${registrySeconds.toFixed(1)} s`,
  );
  if (db.engine === 'postgres') await sql`analyze`.execute(db.kysely);

  const regions = Object.keys(defaultRegions);
  const programme = await createProgramme(app, caller, {
    code: 'bench_food_box',
    kind: 'basket',
    target: 'person',
    schedule: 'monthly',
    name: { es: 'Caja', en: 'Box' },
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

  t = process.hrtime.bigint();
  const dry = await dryRunRule(app, caller, {
    rule,
    kind: 'basket',
    target: 'person',
    regions,
    samples: 0,
  });
  const dryRunSeconds = seconds(t);
  console.log(
    `  dry run: ${dry.total?.toLocaleString('en')} selected in ${dryRunSeconds.toFixed(1)} s`,
  );

  const cycle = await createCycle(app, caller, {
    programmeId: programme.id,
    label: '2026-12',
    opensOn: '2026-12-01',
    closesOn: '2026-12-31',
  });
  t = process.hrtime.bigint();
  const frozen = await freezeCycle(app, caller, cycle.id);
  const freezeSeconds = seconds(t);
  const eligible = frozen.eligibleCount ?? 0;
  console.log(
    `  freeze: ${eligible.toLocaleString('en')} eligible (${round(eligible / count)} of the registry) in ${freezeSeconds.toFixed(1)} s`,
  );

  // Each timed write starts with the write-ahead log folded back, so that neither pays for
  // checkpointing what the other wrote.
  const checkpoint = async () => {
    if (db.engine === 'sqlite') await sql`pragma wal_checkpoint(truncate)`.execute(db.kysely);
    else await sql`checkpoint`.execute(db.kysely);
  };
  // The bare limit: the same INSERT … SELECT over the same snapshot and persons join, for a
  // scratch cycle id, in one statement, without the calendar, the benefit or the slices. It
  // runs before and after the generation and the two are averaged, since each insert into the
  // same table finds it larger than the one before.
  const bare = async (scratch: string) => {
    await checkpoint();
    const started = process.hrtime.bigint();
    await db.transaction(async (trx) => {
      await sql`insert into entitlements (cycle_id, person_id, programme_id, household_id, region_code, quantity,
          amount_minor, redeemed_quantity, status, opens_on, created_at)
        select ${scratch}, m.person_id, ${programme.id}, m.household_id, m.region_code, 1, 0, 0, 'issued',
          '2026-12-01', '2026-12-01T00:00:00.000Z'
        from cycle_members m join persons p on p.id = m.person_id
        where m.cycle_id = ${cycle.id} order by m.person_id`.execute(trx);
    });
    return seconds(started);
  };
  const bareBefore = await bare('bare-before');

  await checkpoint();
  t = process.hrtime.bigint();
  let shown = 0;
  const generated = await generateEntitlements(app, caller, cycle.id, {
    sliceRows,
    onProgress: ({ done, total }) => {
      if (done - shown >= 1_000_000 || done === total) {
        shown = done;
        console.log(`  generated ${done.toLocaleString('en')} of ${total.toLocaleString('en')}`);
      }
    },
  });
  const generateSeconds = seconds(t);
  const bareAfter = await bare('bare-after');
  const bareRate = eligible / ((bareBefore + bareAfter) / 2);
  console.log(
    `  bare INSERT … SELECT: ${Math.round(bareRate).toLocaleString('en')}/s (mean of before and after)`,
  );
  const rate = (generated.entitlementCount ?? 0) / generateSeconds;
  const ratio = round(rate / bareRate);
  const countryMinutes = round(country / rate / 60, 1);
  console.log(
    `  generation: ${Math.round(rate).toLocaleString('en')} entitlements/s, ratio to bare ${ratio} (limit ≥ 0.5), ` +
      `25M in ${countryMinutes} min (limit < 10), peak RSS ${peakRssMb()} MB`,
  );
  return {
    people: count,
    eligible,
    selectedShare: round(eligible / count),
    registrySeconds: round(registrySeconds, 1),
    dryRunSeconds: round(dryRunSeconds, 1),
    freezeSeconds: round(freezeSeconds, 1),
    bareInsertSelectPerSecond: Math.round(bareRate),
    entitlementsPerSecond: Math.round(rate),
    ratioToBare: ratio,
    minutesFor25Million: countryMinutes,
    peakRssMb: peakRssMb(),
  };
}

const figures: Record<string, unknown> = { rule };
const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-cycle-'));
try {
  if (people > 0) {
    console.log(`sqlite, ${people.toLocaleString('en')} people`);
    const sqlite = await openDatabase({ url: join(dir, 'cycle.db') });
    figures.sqlite = await measure(sqlite, people);
    await sqlite.close();
  }
  rmSync(dir, { recursive: true, force: true });
  if (pgPeople > 0) {
    console.log(`postgres, ${pgPeople.toLocaleString('en')} people`);
    const own = process.env.TESSERA_BENCH_DATABASE_URL ? null : await startLocalPostgres();
    const admin = process.env.TESSERA_BENCH_DATABASE_URL ?? own!.url;
    const name = `bench_cycle_${process.pid}`;
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(`create database ${name}`);
    await client.end();
    try {
      const db = await openDatabase({ url: admin.replace(/\/[^/?]*(\?|$)/, `/${name}$1`) });
      figures.postgres = await measure(db, pgPeople);
      await db.close();
    } finally {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
      await own?.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(figures));
